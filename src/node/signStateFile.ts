import { open, readFile, rename } from "node:fs/promises";
import { dirname } from "node:path";
import { AttestaError } from "../errors.js";
import { EMPTY_SIGN_STATE, type SignState, type SignStateStore } from "../consensus/signGuard.js";

/**
 * The validator's sign state in one small JSON file of the data directory, replaced
 * atomically (write a temporary file, fsync, rename, fsync the directory) before every
 * signature leaves the node, so a crash at any instant leaves either the old or the new state.
 */
export class FileSignStateStore implements SignStateStore {
  /** `path` holds the state (JSON); `path` + ".block" the block of the value last proposed or precommitted. */
  constructor(private readonly path: string) {}

  private get blockPath(): string {
    return `${this.path}.block`;
  }

  async loadBlock(): Promise<Uint8Array | undefined> {
    try {
      return new Uint8Array(await readFile(this.blockPath));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw err;
    }
  }

  saveBlock(block: Uint8Array): Promise<void> {
    return replaceFile(this.blockPath, block);
  }

  async load(): Promise<SignState> {
    let text: string;
    try {
      text = await readFile(this.path, "utf8");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return EMPTY_SIGN_STATE;
      throw err;
    }
    try {
      const parsed = JSON.parse(text) as SignState;
      if (typeof parsed !== "object" || parsed === null || !("last" in parsed) || !("snapshot" in parsed) || !Array.isArray(parsed.statements)) {
        throw new Error("missing fields");
      }
      return parsed;
    } catch (err) {
      // Refuse to start rather than forget what we signed: an operator must look at it.
      throw new AttestaError("SIGN_STATE_CORRUPT", `cannot read the sign state ${this.path}`, { reason: (err as Error).message });
    }
  }

  save(state: SignState): Promise<void> {
    return replaceFile(this.path, JSON.stringify(state));
  }
}

/** Replaces `path` atomically and durably: a temporary file, fsync, rename, fsync of the directory. */
async function replaceFile(path: string, data: string | Uint8Array): Promise<void> {
  const tmp = `${path}.tmp`;
  const file = await open(tmp, "w");
  try {
    await file.writeFile(data);
    await file.sync();
  } finally {
    await file.close();
  }
  await rename(tmp, path);
  const dir = await open(dirname(path), "r");
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}
