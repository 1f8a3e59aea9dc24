import { readFile } from "node:fs/promises";
import { Command } from "commander";
import { AttestaClient } from "../../client/client.js";
import { batchArgs, readingValues, type Reading } from "../../client/readingArgs.js";
import { TxKind } from "../../client/txKinds.js";
import { CliErrorCode, cliError } from "../cliErrors.js";
import { loadKey } from "../keyFileInput.js";
import { action, parseCount } from "../output.js";
import { cliArgs, reportTx, sendOptions, sendTx, withTxOptions, type TxFlags } from "../sendTx.js";

const NUMBER_RE = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** `metric=value` pairs as reading values (sorted by name on the way out). */
export function parseMetricValues(pairs: readonly string[]): Array<[string, number]> {
  const values = pairs.map((pair): [string, number] => {
    const eq = pair.indexOf("=");
    const name = pair.slice(0, eq);
    const text = pair.slice(eq + 1);
    const value = Number(text);
    if (eq <= 0 || !NUMBER_RE.test(text) || !Number.isFinite(value)) {
      throw cliError(CliErrorCode.BAD_ARGUMENT, `${pair}: expected metric=number`, { name: pair });
    }
    return [name, value];
  });
  return cliArgs(() => readingValues(values));
}

/** A batch file: a JSON array of readings `{ deviceId, seq, ts, values }` (values by name). */
async function readBatchFile(path: string): Promise<Reading[]> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path, "utf8"));
  } catch (err) {
    if (err instanceof SyntaxError) throw cliError(CliErrorCode.BAD_ARGUMENT, `${path} is not valid JSON`, { path });
    throw err;
  }
  if (!Array.isArray(parsed) || parsed.some((item) => typeof item !== "object" || item === null || Array.isArray(item))) {
    throw cliError(CliErrorCode.BAD_ARGUMENT, `${path}: expected a JSON array of { deviceId, seq, ts, values }`, { path });
  }
  return parsed as Reading[];
}

export function readingCommand(): Command {
  const reading = new Command("reading").description("send readings of devices");

  withTxOptions(reading.command("send"), "key file of the device (it signs its own readings; its owner pays)")
    .description("send one reading signed by the device; seq and ts default to the next ones")
    .requiredOption("--device <id>", "the device")
    .option("--seq <n>", "sequence number (default: the last one + 1)")
    .option("--ts <ms>", "reading time, ms since the epoch (default: now)")
    .argument("<values...>", "metric=value pairs, e.g. pm25=12.5 no2=40")
    .action(
      action(async (pairs: string[], flags: TxFlags & { device: string; seq?: string; ts?: string }) => {
        const values = parseMetricValues(pairs);
        const seq = flags.seq !== undefined ? parseCount(flags.seq, "--seq") : undefined;
        const ts = flags.ts !== undefined ? parseCount(flags.ts, "--ts") : undefined;
        const key = await loadKey(flags.key);
        const client = new AttestaClient({ url: flags.api });
        const result = await client.sendReading(key, { deviceId: flags.device, values, seq, ts }, sendOptions(flags));
        const [device, sentSeq, sentTs] = result.reading;
        reportTx(flags, result, { device, seq: sentSeq, ts: sentTs });
      }),
    );

  withTxOptions(reading.command("batch"), "key file of the bridge")
    .description("relay readings of devices bound to a bridge in one transaction signed by the bridge")
    .requiredOption("--bridge <id>", "the bridge (its nonce is used)")
    .argument("<file>", "JSON array of readings: { deviceId, seq, ts, values: { metric: number } }")
    .action(
      action(async (file: string, flags: TxFlags & { bridge: string }) => {
        const readings = await readBatchFile(file);
        await sendTx(flags, TxKind.SUBMIT_BATCH, () => batchArgs(readings), {
          device: flags.bridge,
          show: { bridge: flags.bridge, count: readings.length },
        });
      }),
    );

  return reading;
}
