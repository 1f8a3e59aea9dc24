const key = (hash: Uint8Array): string => Buffer.from(hash).toString("latin1");

/** Transactions that were admitted and then left the mempool unincluded, with why (bounded, oldest go first). */
export class RejectedTxs {
  private readonly codes = new Map<string, string>();

  constructor(private readonly capacity = 50_000) {}

  add(hash: Uint8Array, code: string): void {
    if (this.codes.size >= this.capacity) {
      const oldest = this.codes.keys().next();
      if (!oldest.done) this.codes.delete(oldest.value);
    }
    this.codes.set(key(hash), code);
  }

  code(hash: Uint8Array): string | undefined {
    return this.codes.get(key(hash));
  }
}
