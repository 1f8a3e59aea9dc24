/**
 * A binary heap over an array: the item for which `before` holds against every other is on
 * top. `onMove` is told each item's new slot (and -1 when it leaves), so an owner can remove
 * or re-sort an item in place in O(log n). A leaf module: it imports nothing.
 */
export class BinaryHeap<T> {
  private readonly items: T[] = [];

  constructor(
    private readonly before: (a: T, b: T) => boolean,
    private readonly onMove: (item: T, slot: number) => void = () => {},
  ) {}

  get size(): number {
    return this.items.length;
  }

  peek(): T | undefined {
    return this.items[0];
  }

  push(item: T): void {
    this.items.push(item);
    this.onMove(item, this.items.length - 1);
    this.up(this.items.length - 1);
  }

  pop(): T | undefined {
    return this.items.length === 0 ? undefined : this.removeAt(0);
  }

  /** Removes every item (each told slot -1). */
  clear(): void {
    for (const item of this.items) this.onMove(item, -1);
    this.items.length = 0;
  }

  /** Removes the item at `slot` (as last reported through `onMove`). */
  removeAt(slot: number): T {
    const items = this.items;
    if (!Number.isInteger(slot) || slot < 0 || slot >= items.length) throw new RangeError("no item at this slot");
    const item = items[slot] as T;
    const last = items.pop() as T;
    this.onMove(item, -1);
    if (slot < items.length) {
      items[slot] = last;
      this.onMove(last, slot);
      this.update(slot);
    }
    return item;
  }

  /** Restores the order after the item at `slot` changed its key. */
  update(slot: number): void {
    if (!this.up(slot)) this.down(slot);
  }

  private up(slot: number): boolean {
    const items = this.items;
    const item = items[slot] as T;
    let i = slot;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = items[parent] as T;
      if (!this.before(item, p)) break;
      items[i] = p;
      this.onMove(p, i);
      i = parent;
    }
    if (i === slot) return false;
    items[i] = item;
    this.onMove(item, i);
    return true;
  }

  private down(slot: number): void {
    const items = this.items;
    const n = items.length;
    const item = items[slot] as T;
    let i = slot;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= n) break;
      const right = left + 1;
      const child = right < n && this.before(items[right] as T, items[left] as T) ? right : left;
      const c = items[child] as T;
      if (!this.before(c, item)) break;
      items[i] = c;
      this.onMove(c, i);
      i = child;
    }
    if (i !== slot) {
      items[i] = item;
      this.onMove(item, i);
    }
  }
}
