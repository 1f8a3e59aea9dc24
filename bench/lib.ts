// Benchmark helpers: every figure is the median of several runs measured in one process,
// so ratios between rows hold even on a shared, noisy machine.

export interface BenchRow {
  /** What was measured, e.g. "secp256k1 verify (native)". */
  readonly name: string;
  /** Median rate, or the median value for non-rate rows. */
  readonly value: number;
  /** Unit of `value`, e.g. "ops/s", "tx/s", "MB", "ms". */
  readonly unit: string;
  /** Free text: runs, sizes, spread. */
  readonly note?: string;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** Runs `fn` repeatedly for about `ms` milliseconds, `runs` times; returns the median ops/s. */
export function rate(fn: () => void, { runs = 5, ms = 400, opsPerCall = 1 } = {}): number {
  for (let i = 0; i < 50; i++) fn(); // warm-up
  const rates: number[] = [];
  for (let r = 0; r < runs; r++) {
    let calls = 0;
    const start = performance.now();
    let elapsed = 0;
    while (elapsed < ms) {
      fn();
      calls++;
      elapsed = performance.now() - start;
    }
    rates.push((calls * opsPerCall * 1000) / elapsed);
  }
  return median(rates);
}

/** Times an async task `runs` times and returns the median duration in milliseconds. */
export async function medianMs(task: () => Promise<void>, runs = 5): Promise<number> {
  const times: number[] = [];
  for (let r = 0; r < runs; r++) {
    const start = performance.now();
    await task();
    times.push(performance.now() - start);
  }
  return median(times);
}

export function formatTable(rows: readonly BenchRow[]): string {
  const fmt = (v: number): string => (v >= 100 ? Math.round(v).toLocaleString("en-US") : v.toFixed(2));
  const lines = rows.map((r) => [r.name, fmt(r.value), r.unit, r.note ?? ""]);
  const widths = [0, 1, 2, 3].map((i) => Math.max(...lines.map((l) => (l[i] as string).length), 4));
  const pad = (l: string[]): string => "| " + l.map((c, i) => (i === 1 ? c.padStart(widths[i] as number) : c.padEnd(widths[i] as number))).join(" | ") + " |";
  return [pad(["name", "median", "unit", "note"]), "|" + widths.map((w) => "-".repeat(w + 2)).join("|") + "|", ...lines.map(pad)].join("\n");
}
