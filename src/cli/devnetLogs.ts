import { createInterface } from "node:readline";
import type { Readable } from "node:stream";

/**
 * One log stream out of many processes: each line a child writes is passed on whole, behind its
 * node's name (`node-0 | ...`). Lines are never split or interleaved: a line is written in one
 * call once its newline has arrived (or the stream has ended).
 */

const COLOURS = [36, 33, 35, 32, 34, 31] as const; // cyan, yellow, magenta, green, blue, red

/** `node-0 | `, padded to `width`, coloured (ANSI) when `colour` is set. */
export function linePrefix(name: string, index: number, width: number, colour: boolean): string {
  const label = `${name.padEnd(width)} | `;
  return colour ? `\x1b[${COLOURS[index % COLOURS.length]!}m${label}\x1b[0m` : label;
}

/** Whether to colour the prefixes: only when stdout is a terminal and NO_COLOR is not set. */
export const useColour = (stream: { readonly isTTY?: boolean }, env: NodeJS.ProcessEnv): boolean =>
  stream.isTTY === true && (env.NO_COLOR ?? "") === "";

/** Copies `input` to `write` line by line, each behind `prefix`; resolves when `input` ends. */
export function prefixLines(input: Readable, prefix: string, write: (text: string) => void): Promise<void> {
  const lines = createInterface({ input, crlfDelay: Infinity });
  lines.on("line", (line) => write(`${prefix}${line}\n`));
  return new Promise((resolve) => lines.once("close", resolve));
}
