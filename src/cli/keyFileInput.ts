import type { KeyPair } from "../crypto/keys.js";
import { readKeyFile } from "../crypto/keyFile.js";
import { CliErrorCode, cliError } from "./cliErrors.js";

/** Reads a key file for a command: a missing file is FILE_NOT_FOUND, anything unreadable BAD_KEY_FILE. */
export async function loadKey(path: string): Promise<KeyPair> {
  try {
    return await readKeyFile(path);
  } catch (err) {
    const errno = (err as NodeJS.ErrnoException).code;
    if (typeof errno === "string") throw err;
    throw cliError(CliErrorCode.BAD_KEY_FILE, `${path} is not an Attesta key file`, { path });
  }
}
