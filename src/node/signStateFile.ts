import { open, readFile, rename } from "node:fs/promises";
import { dirname } from "node:path";
import { AttestaError } from "../errors.js";
import type { SignState, SignStateStore } from "../consensus/signGuard.js";

/**
 * The validator's sign state in one small JSON file of the data directory, replaced
 * atomically (write a temporary file, fsync, rename, fsync the directory) before every
 * signature leaves the node, so a crash at any instant leaves either the old or the new state.
 */
export class FileSignStateStore implements SignStateStore {
  constructor(private readonly path: string) {}

  async load(): Promise<SignState> {
    let text: string;
    try {
      text = await readFile(this.path, "utf8");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return { last: null, snapshot: null };
      throw err;
    }
    try {
      const parsed = JSON.parse(text) as SignState;
      if (typeof parsed !== "object" || parsed === null || !("last" in parsed) || !("snapshot" in parsed)) throw new Error("missing fields");
      return parsed;
    } catch (err) {
      // Refuse to start rather than forget what we signed: an operator must look at it.
      throw new AttestaError("SIGN_STATE_CORRUPT", `cannot read the sign state ${this.path}`, { reason: (err as Error).message });
    }
  }

  async save(state: SignState): Promise<void> {
    const tmp = `${this.path}.tmp`;
    const file = await open(tmp, "w");
    try {
      await file.writeFile(JSON.stringify(state));
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(tmp, this.path);
    const dir = await open(dirname(this.path), "r");
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
  }
}
