import { describe, expect, it } from "vitest";
import { chooseScenario, formatFailure, simulate } from "./simulator.js";

// Seeded network simulations of the consensus machine: safety at every decision, liveness after
// GST. By default 1,000 seeds spread over n = 1, 4, 7 (seed i runs with n = SIZES[i mod 3]).
//   SEEDS=10000 npm run test:consensus       more seeds
//   SEEDS=500 N=7 npm run test:consensus     seeds 0..499, all with n = 7
//   SEED=1234 N=4 npx vitest run --project consensus test/consensus/simulation.test.ts   one run

const SIZES = [1, 4, 7] as const;
const DEFAULT_SEEDS = 1_000;
/** Failures reported in full; the rest are counted. */
const REPORTED = 3;

function envInt(name: string): number | undefined {
  const text = process.env[name];
  if (text === undefined || text === "") return undefined;
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`${name} must be a non-negative integer, not ${text}`);
  return value;
}

/** Runs the seeds with n validators; throws a report of the failed ones. */
function check(n: number, seeds: readonly number[]): void {
  const failures: string[] = [];
  let failed = 0;
  for (const seed of seeds) {
    const result = simulate(chooseScenario(seed, n));
    if (result.violations.length === 0) continue;
    failed++;
    if (failures.length < REPORTED) failures.push(formatFailure(result));
  }
  if (failed > 0) throw new Error(`${failed} of ${seeds.length} seeds failed with n = ${n}; the first:\n\n${failures.join("\n\n")}`);
}

const seed = envInt("SEED");
const onlyN = envInt("N");
const sizes = onlyN === undefined ? SIZES : [onlyN];

describe("consensus simulation: safety and liveness under faults", () => {
  if (seed !== undefined) {
    for (const n of sizes) it(`seed ${seed}, n = ${n}`, () => check(n, [seed]));
  } else {
    const total = envInt("SEEDS") ?? DEFAULT_SEEDS;
    for (const [index, n] of sizes.entries()) {
      const seeds = [...Array(total).keys()].filter((i) => onlyN !== undefined || i % SIZES.length === index);
      const f = Math.floor((n - 1) / 3);
      it(`n = ${n} (up to f = ${f} Byzantine): ${seeds.length} seeds`, () => {
        expect(seeds.length).toBeGreaterThan(0);
        check(n, seeds);
      });
    }
  }
});
