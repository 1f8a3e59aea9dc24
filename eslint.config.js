// ESLint flat config: typescript-eslint's `recommended` rules (syntax only, no type information,
// so a full run stays fast), plus the determinism bans of DESIGN.md for the code every node must
// execute identically: src/contracts (the state machine) and src/consensus.
import js from "@eslint/js";
import { defineConfig } from "eslint/config";
import tseslint from "typescript-eslint";

const WHY = "Determinism: contract and consensus code must give the same result on every node and platform";

/** Math functions whose results differ across platforms and engines (only + - * / and Math.sqrt are exact). */
const TRANSCENDENTAL = [
  "sin", "cos", "tan", "asin", "acos", "atan", "atan2",
  "sinh", "cosh", "tanh", "asinh", "acosh", "atanh",
  "exp", "expm1", "log", "log1p", "log2", "log10", "pow", "cbrt", "hypot",
];

const mathBans = [
  { object: "Math", property: "random", message: `${WHY}: Math.random is not reproducible. Derive randomness from chain data.` },
  ...TRANSCENDENTAL.map((property) => ({
    object: "Math",
    property,
    message: `${WHY}: Math.${property} may round differently across platforms. Use + - * /, comparisons and Math.sqrt only.`,
  })),
];

const dateBan = { name: "Date", message: `${WHY}: the clock differs between nodes. Take the block timestamp as input.` };

/** Globals reaching time, scheduling or the host: fine in the shell, never in the state machine. */
const hostBans = [
  { name: "performance", message: `${WHY}: timers differ between nodes. Contracts take all inputs as data.` },
  { name: "setTimeout", message: `${WHY}: contracts never schedule work. Keep timers in the node shell.` },
  { name: "setInterval", message: `${WHY}: contracts never schedule work. Keep timers in the node shell.` },
  { name: "setImmediate", message: `${WHY}: contracts never schedule work. Keep timers in the node shell.` },
  { name: "process", message: `${WHY}: environment, arguments and host differ between nodes. Pass options in as data.` },
];

const cryptoRandomBans = ["randomBytes", "randomUUID", "randomInt", "getRandomValues"].map((property) => ({
  object: "crypto",
  property,
  message: `${WHY}: crypto.${property} is not reproducible. Derive randomness from chain data.`,
}));

/** `globalThis.Date`, `globalThis.performance`, ... would slip past no-restricted-globals. */
function globalThisBan(names) {
  return {
    selector: `MemberExpression[object.name='globalThis'][property.name=/^(${names.join("|")})$/]`,
    message: `${WHY}: no clock, timers or host access through globalThis.`,
  };
}

const ioModules = ["fs", "fs/promises", "net", "http", "https", "http2", "dgram", "child_process", "worker_threads", "os"];

export default defineConfig(
  { ignores: ["dist/", "node_modules/", "coverage/", ".attesta/", "bench/results/"] },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2023, sourceType: "module" },
    linterOptions: { reportUnusedDisableDirectives: "error" },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none" }],
    },
  },
  {
    // STYLE.md: no `as any` to reach into another module's internals.
    files: ["src/**/*.ts"],
    rules: { "@typescript-eslint/no-explicit-any": "error" },
  },
  {
    files: ["src/contracts/**/*.ts"],
    rules: {
      "no-restricted-globals": ["error", dateBan, ...hostBans],
      "no-restricted-properties": ["error", ...mathBans, ...cryptoRandomBans],
      "no-restricted-syntax": ["error", globalThisBan(["Date", ...hostBans.map((b) => b.name), "crypto"])],
      "no-restricted-imports": [
        "error",
        {
          paths: [
            ...["crypto", "node:crypto"].map((name) => ({
              name,
              importNames: ["randomBytes", "randomUUID", "randomInt", "getRandomValues", "webcrypto"],
              message: `${WHY}: no random sources in contracts.`,
            })),
            ...ioModules.flatMap((m) => [m, `node:${m}`]).map((name) => ({
              name,
              message: `${WHY}: contracts do no I/O. The node shell reads and writes; contracts take data and return data.`,
            })),
          ],
        },
      ],
    },
  },
  {
    // Contract methods are synchronous: a read not at hand throws NotAtHand and the runner
    // fetches the key and runs the transaction again (src/contracts/state.ts, settle). An async
    // method would go on after its transaction ended, outside its checkpoint.
    files: ["src/contracts/modules/**/*.ts", "src/contracts/runtime.ts", "src/contracts/validity.ts", "src/contracts/genesis.ts"],
    rules: {
      "no-restricted-syntax": [
        "error",
        globalThisBan(["Date", ...hostBans.map((b) => b.name), "crypto"]),
        ...[":function[async=true]", "AwaitExpression"].map((selector) => ({
          selector,
          message: "Contract code is synchronous: read state through a StateView; the runner fetches what is not at hand and runs the transaction again.",
        })),
      ],
    },
  },
  {
    // Consensus keeps its timers in a thin shell (round timeouts, heartbeat); only the clock and
    // non-reproducible numbers are banned here.
    files: ["src/consensus/**/*.ts"],
    rules: {
      "no-restricted-globals": ["error", dateBan],
      "no-restricted-properties": ["error", ...mathBans],
      "no-restricted-syntax": ["error", globalThisBan(["Date"])],
    },
  },
);
