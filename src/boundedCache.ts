/**
 * A bounded cache with O(1) operations, in two generations of plain Maps: new entries go to
 * the young one; when it holds half the capacity, the old generation is dropped whole and the
 * young one takes its place. A hit in the old generation moves the entry back to the young
 * one, so what is used stays. Evicting entry by entry from one insertion-ordered Map instead
 * degrades badly under churn (V8 iterates over the deleted slots), which is why this exists.
 * Holds at most `capacity` entries. A shared leaf module: it imports nothing.
 */
export class BoundedCache<K, V> {
  private young = new Map<K, V>();
  private old = new Map<K, V>();
  private readonly generation: number;

  constructor(capacity: number) {
    if (!Number.isSafeInteger(capacity) || capacity < 2) throw new RangeError("capacity must be an integer >= 2");
    this.generation = capacity >> 1;
  }

  get(key: K): V | undefined {
    const value = this.young.get(key);
    if (value !== undefined || this.young.has(key)) return value;
    if (!this.old.has(key)) return undefined;
    const promoted = this.old.get(key) as V;
    this.old.delete(key);
    this.set(key, promoted);
    return promoted;
  }

  has(key: K): boolean {
    return this.young.has(key) || this.old.has(key);
  }

  set(key: K, value: V): void {
    this.young.set(key, value);
    if (this.young.size >= this.generation) {
      this.old = this.young;
      this.young = new Map();
    }
  }

  delete(key: K): void {
    this.young.delete(key);
    this.old.delete(key);
  }

  get size(): number {
    return this.young.size + this.old.size;
  }
}
