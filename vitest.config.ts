import { defineConfig } from "vitest/config";

// Projects: `unit` is the default `npm test` (fast, must stay under 10 minutes on 2 cores);
// `slow` holds multi-process and soak suites, run by their own npm scripts and in short form in CI;
// `net` is the in-process libp2p network tests alone (also part of `unit`);
// `consensus` is the consensus machine and its seeded network simulation alone (also part of
// `unit`), for long runs: `SEEDS=10000 npm run test:consensus`.
export default defineConfig({
  test: {
    setupFiles: ["./src/polyfill.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    projects: [
      {
        extends: true,
        test: { name: "unit", include: ["test/unit/**/*.test.ts", "test/e2e/**/*.test.ts", "test/consensus/**/*.test.ts", "test/net/**/*.test.ts"], testTimeout: 60_000 },
      },
      {
        extends: true,
        test: { name: "slow", include: ["test/slow/**/*.test.ts"], testTimeout: 600_000 },
      },
      {
        extends: true,
        test: { name: "net", include: ["test/net/**/*.test.ts"], testTimeout: 120_000 },
      },
      {
        extends: true,
        test: { name: "consensus", include: ["test/consensus/**/*.test.ts"], testTimeout: 600_000 },
      },
    ],
  },
});
