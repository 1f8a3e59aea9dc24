import { describe, expect, it } from "vitest";
import { BoundedCache } from "../../src/boundedCache.js";

describe("BoundedCache", () => {
  it("never holds more than its capacity, whatever the churn", () => {
    const cache = new BoundedCache<number, number>(100);
    for (let i = 0; i < 10_000; i++) {
      cache.set(i, i);
      expect(cache.size).toBeLessThanOrEqual(100);
    }
    expect(cache.get(9_999)).toBe(9_999);
    expect(cache.get(0)).toBeUndefined();
  });

  it("keeps an entry that keeps being used", () => {
    const cache = new BoundedCache<string, number>(10);
    cache.set("hot", 1);
    for (let i = 0; i < 1_000; i++) {
      cache.set(`cold ${i}`, i);
      expect(cache.get("hot")).toBe(1);
    }
  });

  it("stores null values and tells them from absent keys", () => {
    const cache = new BoundedCache<string, Uint8Array | null>(4);
    cache.set("absent-in-state", null);
    expect(cache.has("absent-in-state")).toBe(true);
    expect(cache.get("absent-in-state")).toBeNull();
    expect(cache.get("never-set")).toBeUndefined();
    cache.delete("absent-in-state");
    expect(cache.has("absent-in-state")).toBe(false);
  });

  it("refuses a capacity below 2 as a caller's bug", () => {
    expect(() => new BoundedCache(1)).toThrow(RangeError);
  });
});
