import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { fromHex, isHex, toHex } from "./bytes.js";
import { isKeyType, type KeyType } from "./keyTypes.js";
import { generateKeyPair, keyPairFromSecret, type KeyPair } from "./keys.js";

/**
 * A key file is JSON: { "type", "secretKey", "publicKey", "address" } with 0x hex, written
 * with mode 0600. Secrets are read and written here only and never logged.
 */
export interface KeyFileJson {
  readonly type: KeyType;
  readonly secretKey: string;
  readonly publicKey: string;
  readonly address: string;
}

export function keyFileJson(key: KeyPair): KeyFileJson {
  return { type: key.type, secretKey: toHex(key.secretKey), publicKey: toHex(key.publicKey), address: toHex(key.address) };
}

export async function writeKeyFile(path: string, key: KeyPair): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, JSON.stringify(keyFileJson(key), null, 2) + "\n", { mode: 0o600, flag: "wx" });
}

/** Reads a key file; throws TypeError when it is not one (the CLI reports it). */
export async function readKeyFile(path: string): Promise<KeyPair> {
  const json = parseJson(await readFile(path, "utf8")) as Partial<KeyFileJson> | null;
  if (json === null || !isKeyType(json.type) || !isHex(json.secretKey)) throw new TypeError(`${path} is not an Attesta key file`);
  const key = keyPairOrTypeError(path, json.type, fromHex(json.secretKey));
  if (json.publicKey !== undefined && json.publicKey !== toHex(key.publicKey)) {
    throw new TypeError(`${path}: publicKey does not match secretKey`);
  }
  return key;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** A secret of the right length can still be out of range for its curve (zero, or >= n). */
function keyPairOrTypeError(path: string, type: KeyType, secretKey: Uint8Array): KeyPair {
  try {
    return keyPairFromSecret(type, secretKey);
  } catch {
    throw new TypeError(`${path}: secretKey is not a valid ${type} secret`);
  }
}

/** Loads the key at `path`, creating a new one of `type` there when the file does not exist. */
export async function loadOrCreateKeyFile(path: string, type: KeyType = "secp256k1"): Promise<KeyPair> {
  try {
    return await readKeyFile(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
    const key = generateKeyPair(type);
    await writeKeyFile(path, key);
    return key;
  }
}
