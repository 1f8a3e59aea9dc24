import { BoundedCache } from "../boundedCache.js";

const key = (hash: Uint8Array): string => Buffer.from(hash).toString("latin1");

/** Transactions that were admitted and then left the mempool unincluded, with why (bounded, oldest go first). */
export class RejectedTxs {
  private readonly codes: BoundedCache<string, string>;

  constructor(capacity = 50_000) {
    this.codes = new BoundedCache(capacity);
  }

  add(hash: Uint8Array, code: string): void {
    this.codes.set(key(hash), code);
  }

  code(hash: Uint8Array): string | undefined {
    return this.codes.get(key(hash));
  }
}
