import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { toHex } from "../../../src/crypto/bytes.js";
import { generateKeyPair } from "../../../src/crypto/keys.js";
import { KEY_TYPES, type KeyType } from "../../../src/crypto/keyTypes.js";
import { keyFileJson, loadOrCreateKeyFile, readKeyFile, writeKeyFile } from "../../../src/crypto/keyFile.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "attesta-keyfile-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function errorOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error("expected a rejection");
}

describe("writeKeyFile / readKeyFile", () => {
  it.each(KEY_TYPES)("round-trips a %s key, as JSON with 0x hex", async (type: KeyType) => {
    const key = generateKeyPair(type);
    const path = join(dir, `${type}.json`);
    await writeKeyFile(path, key);
    expect(await readKeyFile(path)).toEqual(key);
    const json = JSON.parse(await readFile(path, "utf8")) as Record<string, unknown>;
    expect(json).toEqual(keyFileJson(key));
    expect(json).toEqual({ type, secretKey: toHex(key.secretKey), publicKey: toHex(key.publicKey), address: toHex(key.address) });
  });

  it("writes with mode 0600, creating missing directories", async () => {
    const path = join(dir, "nested", "deeper", "key.json");
    await writeKeyFile(path, generateKeyPair());
    expect((await stat(path)).mode & 0o777).toBe(0o600);
  });

  it("refuses to overwrite an existing file", async () => {
    const path = join(dir, "key.json");
    const first = generateKeyPair();
    await writeKeyFile(path, first);
    const err = await errorOf(writeKeyFile(path, generateKeyPair()));
    expect((err as NodeJS.ErrnoException).code).toBe("EEXIST");
    expect(await readKeyFile(path)).toEqual(first);
  });

  it("accepts a file without publicKey and address (derived from the secret)", async () => {
    const key = generateKeyPair("p256");
    const path = join(dir, "minimal.json");
    await writeFile(path, JSON.stringify({ type: "p256", secretKey: toHex(key.secretKey) }));
    expect(await readKeyFile(path)).toEqual(key);
  });
});

describe("readKeyFile of a file that is not a key file", () => {
  const key = generateKeyPair("secp256k1");
  const valid = keyFileJson(key);
  const BAD: Record<string, string> = {
    "not JSON": "this is not json {",
    "empty": "",
    "JSON null": "null",
    "a JSON number": "42",
    "a JSON array": "[]",
    "no type": JSON.stringify({ ...valid, type: undefined }),
    "an unknown type": JSON.stringify({ ...valid, type: "rsa" }),
    "no secretKey": JSON.stringify({ ...valid, secretKey: undefined }),
    "a secretKey without 0x": JSON.stringify({ ...valid, secretKey: valid.secretKey.slice(2) }),
    "a secretKey of odd length": JSON.stringify({ ...valid, secretKey: valid.secretKey.slice(0, -1) }),
    "a secretKey of 31 bytes": JSON.stringify({ ...valid, secretKey: valid.secretKey.slice(0, -2) }),
    "a zero secretKey": JSON.stringify({ type: "secp256k1", secretKey: "0x" + "00".repeat(32) }),
    "a secretKey of n or more": JSON.stringify({ type: "secp256k1", secretKey: "0x" + "ff".repeat(32) }),
    "a zero P-256 secretKey": JSON.stringify({ type: "p256", secretKey: "0x" + "00".repeat(32) }),
    "a publicKey of another key": JSON.stringify({ ...valid, publicKey: toHex(generateKeyPair().publicKey) }),
  };

  it.each(Object.entries(BAD))("throws TypeError for %s", async (_name, content) => {
    const path = join(dir, "bad.json");
    await writeFile(path, content);
    expect(await errorOf(readKeyFile(path))).toBeInstanceOf(TypeError);
  });
});

describe("loadOrCreateKeyFile", () => {
  it("creates a secp256k1 key when the file is missing, then loads the same key", async () => {
    const path = join(dir, "node", "key.json");
    const created = await loadOrCreateKeyFile(path);
    expect(created.type).toBe("secp256k1");
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(await loadOrCreateKeyFile(path)).toEqual(created);
    expect(await loadOrCreateKeyFile(path, "ed25519")).toEqual(created); // an existing file wins over the type
  });

  it.each(KEY_TYPES)("creates a %s key when asked", async (type: KeyType) => {
    const path = join(dir, `${type}.json`);
    expect((await loadOrCreateKeyFile(path, type)).type).toBe(type);
    expect((await readKeyFile(path)).type).toBe(type);
  });

  it("throws TypeError for a bad file and leaves it in place", async () => {
    const path = join(dir, "key.json");
    await writeFile(path, "garbage");
    expect(await errorOf(loadOrCreateKeyFile(path))).toBeInstanceOf(TypeError);
    expect(await readFile(path, "utf8")).toBe("garbage");
  });

  it("passes through file system errors other than a missing file", async () => {
    const err = await errorOf(loadOrCreateKeyFile(dir)); // a directory
    expect((err as NodeJS.ErrnoException).code).toBe("EISDIR");
  });
});
