import { Option, type Command } from "commander";
import { jsonValue } from "../api/jsonValue.js";
import { asCodedError, CliErrorCode, cliError } from "./cliErrors.js";

export const DEFAULT_API_URL = "http://127.0.0.1:7545";

export interface JsonFlag {
  readonly json?: boolean;
}

export const jsonOption = (): Option => new Option("--json", "print JSON instead of text");

export const apiOption = (): Option =>
  new Option("--api <url>", "base URL of a node's HTTP API").env("ATTESTA_API").default(DEFAULT_API_URL);

/** Prints a command's result: JSON (bigints as strings, bytes as 0x hex) with --json, else text lines. */
export function printResult(opts: JsonFlag, value: unknown, text: () => readonly string[]): void {
  const out = opts.json === true ? JSON.stringify(jsonValue(value), null, 2) : text().join("\n");
  process.stdout.write(out + "\n");
}

/** Prints `error CODE: message` (or `{ "error": {...} }` with --json) to stderr and sets exit code 1. */
export function reportError(err: unknown, json: boolean): void {
  const e = asCodedError(err);
  const line = json
    ? JSON.stringify({ error: { code: e.code, message: e.message, details: jsonValue(e.details ?? {}) } })
    : `error ${e.code}: ${e.message}`;
  process.stderr.write(line + "\n");
  process.exitCode = 1;
}

/** Wraps a commander action so that any failure is reported with its code and exit status 1. */
export function action<A extends unknown[]>(fn: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await fn(...args);
    } catch (err) {
      const cmd = args[args.length - 1] as Command | undefined;
      const json = typeof cmd?.optsWithGlobals === "function" && cmd.optsWithGlobals<JsonFlag>().json === true;
      reportError(err, json);
    }
  };
}

/** A decimal integer argument; BAD_ARGUMENT otherwise. */
export function parseCount(value: string, name: string): number {
  const n = Number(value);
  if (!/^\d{1,15}$/.test(value) || !Number.isSafeInteger(n)) throw badArgument(name, "a non-negative integer");
  return n;
}

/** A decimal u64 amount; BAD_ARGUMENT otherwise. */
export function parseAmount(value: string, name: string): bigint {
  if (!/^\d{1,20}$/.test(value) || BigInt(value) >= 1n << 64n) throw badArgument(name, "a whole amount (u64)");
  return BigInt(value);
}

function badArgument(name: string, expected: string) {
  return cliError(CliErrorCode.BAD_ARGUMENT, `${name}: expected ${expected}`, { name });
}
