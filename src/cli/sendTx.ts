import { Option, type Command } from "commander";
import { AttestaClient, type SendResult } from "../client/client.js";
import { readingOutcomes } from "../client/readingOutcomes.js";
import type { ReadingOutcome } from "../client/types.js";
import { AttestaError } from "../errors.js";
import type { Encodable } from "../ledger/codec.js";
import { CliErrorCode, cliError } from "./cliErrors.js";
import { loadKey } from "./keyFileInput.js";
import { apiOption, jsonOption, parseAmount, printResult, type JsonFlag } from "./output.js";

// What every command that sends a transaction shares: its options (--key, --fee, --wait,
// --api, --json), the conversion of an SDK builder's argument errors, and the report.

export interface TxFlags extends JsonFlag {
  readonly key: string;
  readonly api: string;
  readonly wait?: boolean;
  readonly fee?: string;
}

/** Adds the options of a transaction command; `keyHelp` says whose key file signs. */
export function withTxOptions(cmd: Command, keyHelp: string): Command {
  return cmd
    .requiredOption("--key <file>", keyHelp)
    .option("--fee <n>", "fee (default: the minimum for the transaction's size)")
    .option("--wait", "wait until the transaction is in a block; fail with its code if it failed")
    .addOption(apiOption())
    .addOption(jsonOption());
}

/** The SDK options a command's flags ask for. */
export function sendOptions(flags: TxFlags): { fee?: bigint; wait: boolean } {
  return { ...(flags.fee !== undefined ? { fee: parseAmount(flags.fee, "--fee") } : {}), wait: flags.wait === true };
}

/** Runs an SDK builder: a TypeError or RangeError (a bad flag value) becomes BAD_ARGUMENT. */
export function cliArgs<T>(build: () => T): T {
  try {
    return build();
  } catch (err) {
    if (err instanceof TypeError || err instanceof RangeError) throw cliError(CliErrorCode.BAD_ARGUMENT, err.message);
    throw err;
  }
}

const readingLine = (r: ReadingOutcome): string => {
  const findings = r.findings.map((f) => `${f.code}${f.metric === "" ? "" : ` ${f.metric}=${f.value} (bound ${f.bound})`}`);
  return `reading ${r.device} seq ${r.seq}: ${r.status === "ok" ? "ok" : r.code}${findings.length > 0 ? ` flagged ${findings.join(", ")}` : ""}`;
};

const readingCode = (r: ReadingOutcome) => ({ device: r.device, seq: r.seq, code: r.code });

/**
 * Prints what was sent and, with --wait, where it landed and each reading's outcome. Fails
 * (exit status 1, `error CODE`) with the receipt's code when the transaction failed, or with
 * the first failed reading's code when a batch was included but some of its readings failed.
 */
export function reportTx(flags: JsonFlag, result: SendResult, extra: Record<string, unknown> = {}): void {
  const { hash, tx, status } = result;
  const readings = status?.receipt === undefined ? [] : readingOutcomes(status.receipt);
  const failedReadings = readings.filter((r) => r.status === "failed");
  if (status?.receipt?.status === "failed") {
    const code = status.receipt.code || "TX_FAILED";
    throw new AttestaError(code, `transaction ${hash} failed: ${code}`, {
      hash,
      height: status.height,
      index: status.index,
      ...(failedReadings.length > 0 ? { readings: failedReadings.map(readingCode) } : {}),
    });
  }
  const view = {
    hash,
    kind: tx.kind,
    nonce: tx.nonce,
    fee: tx.fee,
    ...extra,
    ...(status !== undefined ? { status } : {}),
    ...(readings.length > 0 ? { readings } : {}),
  };
  printResult(flags, view, () => [
    `submitted ${hash} (${tx.kind}, nonce ${tx.nonce}, fee ${tx.fee})`,
    ...(status !== undefined ? [`${status.status} at height ${status.height} (index ${status.index})`] : []),
    ...readings.map(readingLine),
  ]);
  const first = failedReadings[0];
  if (first !== undefined) {
    throw new AttestaError(first.code, `${failedReadings.length} of ${readings.length} readings failed`, {
      hash,
      readings: failedReadings.map(readingCode),
    });
  }
}

export interface SendTxOptions {
  /** For a device-signed kind: the signing device's id (whose nonce the transaction takes). */
  readonly device?: string;
  /** More fields for the printed result. */
  readonly show?: Record<string, unknown>;
}

/** Builds the arguments (bad values are BAD_ARGUMENT), signs with --key, sends, and reports. */
export async function sendTx(flags: TxFlags, kind: string, build: () => readonly Encodable[], opts: SendTxOptions = {}): Promise<void> {
  const args = cliArgs(build);
  const key = await loadKey(flags.key);
  const client = new AttestaClient({ url: flags.api });
  const result = await client.send(key, kind, args, { ...sendOptions(flags), ...(opts.device !== undefined ? { device: opts.device } : {}) });
  reportTx(flags, result, opts.show);
}

/** A choice option (commander checks the value). */
export const choiceOption = (flags: string, description: string, choices: readonly string[]): Option =>
  new Option(flags, description).choices(choices);
