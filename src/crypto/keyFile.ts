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
  const json = JSON.parse(await readFile(path, "utf8")) as Partial<KeyFileJson>;
  if (!isKeyType(json.type) || !isHex(json.secretKey)) throw new TypeError(`${path} is not an Attesta key file`);
  const key = keyPairFromSecret(json.type, fromHex(json.secretKey));
  if (json.publicKey !== undefined && json.publicKey !== toHex(key.publicKey)) {
    throw new TypeError(`${path}: publicKey does not match secretKey`);
  }
  return key;
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
