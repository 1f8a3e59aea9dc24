import { readFile } from "node:fs/promises";
import { Command } from "commander";
import { AttestaClient } from "../../client/client.js";
import type { VerdictInfo } from "../../client/types.js";
import { fromHex, isHex } from "../../crypto/bytes.js";
import { CliErrorCode, cliError } from "../cliErrors.js";
import { action, apiOption, jsonOption, parseCount, printResult, type JsonFlag } from "../output.js";
import { parseMetricValues } from "./reading.js";

interface InspectFlags extends JsonFlag {
  readonly api: string;
  readonly tx?: string;
  readonly file?: string;
  readonly device?: string;
  readonly ts?: string;
}

/** The verdict as text lines: the verdict and code, then each finding and each reading's outcome. */
export function verdictLines(v: VerdictInfo): string[] {
  const lines = [`verdict:  ${v.verdict}${v.code !== undefined ? ` ${v.code}` : ""}${v.stage !== undefined ? ` (at ${v.stage})` : ""}`];
  if (v.hash !== undefined) lines.push(`hash:     ${v.hash}`);
  if (v.message !== undefined && v.verdict === "reject") lines.push(`message:  ${v.message}`);
  for (const f of v.findings ?? []) lines.push(`finding:  ${f.code}${f.metric !== "" ? ` ${f.metric}=${f.value}` : ` ${f.value}`} (bound ${f.bound})`);
  if ((v.readings?.length ?? 0) > 1) {
    for (const r of v.readings ?? []) {
      const findings = r.findings.map((f) => f.code).join(",");
      lines.push(`reading:  ${r.deviceId} #${r.seq} ${r.status === "ok" ? (findings === "" ? "ok" : `flagged ${findings}`) : r.code}`);
    }
  }
  return lines;
}

async function txBytes(flags: InspectFlags): Promise<Uint8Array> {
  if (flags.tx !== undefined) {
    if (!isHex(flags.tx)) throw cliError(CliErrorCode.BAD_ARGUMENT, "--tx: expected 0x hex", { name: "--tx" });
    return fromHex(flags.tx);
  }
  return new Uint8Array(await readFile(flags.file as string));
}

/**
 * `attesta inspect`: would it pass? The node's verdict without admission, for a signed
 * transaction (`--tx 0x…` or `--file TX.bin`) or a bare reading (`--device ID [--ts MS]
 * metric=value ...`). Exit status 0 for accept and flag, 1 for reject.
 */
export function inspectCommand(): Command {
  return new Command("inspect")
    .description("ask a node whether a transaction or a reading would pass inspection, without sending it")
    .option("--tx <hex>", "a signed transaction, 0x hex")
    .option("--file <path>", "a signed transaction, raw msgpack bytes")
    .option("--device <id>", "inspect a bare reading of this device (no signature)")
    .option("--ts <ms>", "reading time, ms since the epoch (default: now)")
    .argument("[values...]", "with --device: metric=value pairs, e.g. pm25=12.5 no2=40")
    .addOption(apiOption())
    .addOption(jsonOption())
    .action(
      action(async (pairs: string[], flags: InspectFlags) => {
        const given = [flags.tx, flags.file, flags.device].filter((x) => x !== undefined).length;
        if (given !== 1) throw cliError(CliErrorCode.BAD_ARGUMENT, "give one of --tx, --file or --device", { name: "--tx" });
        const client = new AttestaClient({ url: flags.api });
        let verdict: VerdictInfo;
        if (flags.device !== undefined) {
          if (pairs.length === 0) throw cliError(CliErrorCode.BAD_ARGUMENT, "--device needs metric=value pairs", { name: "values" });
          const values = parseMetricValues(pairs);
          const ts = flags.ts !== undefined ? parseCount(flags.ts, "--ts") : undefined;
          verdict = await client.inspect({ deviceId: flags.device, values, ...(ts !== undefined ? { ts } : {}) });
        } else {
          if (pairs.length > 0 || flags.ts !== undefined) throw cliError(CliErrorCode.BAD_ARGUMENT, "metric=value pairs and --ts go with --device", { name: "values" });
          verdict = await client.inspect(await txBytes(flags));
        }
        printResult(flags, verdict, () => verdictLines(verdict));
        if (verdict.verdict === "reject") process.exitCode = 1;
      }),
    );
}
