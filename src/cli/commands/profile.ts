import { readFile } from "node:fs/promises";
import { Command } from "commander";
import { AttestaClient } from "../../client/client.js";
import { assignProfileArgs, publishProfileArgs } from "../../client/governanceArgs.js";
import { TxKind } from "../../client/txKinds.js";
import type { ProfileInfo } from "../../client/types.js";
import { parseProfileSpec, profileSpecToJson } from "../../contracts/modules/profiles/index.js";
import { action, apiOption, jsonOption, parseCount, printResult, type JsonFlag } from "../output.js";
import { sendTx, withTxOptions, type TxFlags } from "../sendTx.js";

/**
 * A spec file as the compact JSON text to publish. It is checked here with the contract's own
 * validation first (PROFILE_INVALID naming the field), so a bad spec costs no fee.
 */
async function specText(path: string): Promise<string> {
  const spec = parseProfileSpec(await readFile(path, "utf8"));
  return JSON.stringify(profileSpecToJson(spec));
}

function profileLines(p: ProfileInfo): string[] {
  const s = p.spec;
  const bound = (lo: number | undefined, hi: number | undefined): string => `${lo ?? "-∞"}..${hi ?? "+∞"}`;
  return [
    `profile:   ${p.id} v${p.version} (published at height ${p.publishedAt})`,
    ...Object.entries(s.metrics).map(
      ([name, m]) =>
        `metric:    ${name} [${m.unit}]${m.required ? " required" : ""} soft ${bound(m.min, m.max)} hard ${bound(m.hardMin, m.hardMax)}` +
        (m.maxDeltaPerSecond !== undefined ? ` max Δ/s ${m.maxDeltaPerSecond}` : ""),
    ),
    ...(s.interval !== undefined ? [`interval:  ${s.interval.minSeconds ?? 0} s to ${s.interval.maxSeconds ?? "∞"} s`] : []),
    ...(s.maxPayloadBytes !== undefined ? [`payload:   at most ${s.maxPayloadBytes} bytes`] : []),
    ...(s.stuck !== undefined ? [`stuck:     ${s.stuck.repeats} identical values`] : []),
    ...(s.drift !== undefined ? [`drift:     z > ${s.drift.zScore} (weight ${s.drift.weight}, warmup ${s.drift.warmup})`] : []),
    ...(s.policy?.suspendAfter !== undefined
      ? [`policy:    suspend after ${s.policy.suspendAfter.anomalies} anomalies within ${s.policy.suspendAfter.windowSeconds} s`]
      : []),
  ];
}

export function profileCommand(): Command {
  const profile = new Command("profile").description("publish, assign and show behaviour profiles");

  withTxOptions(profile.command("publish"), "key file of an admin")
    .description("publish a profile spec (JSON file): version 1, or the next version of the id")
    .requiredOption("--id <id>", "profile id: 1-64 characters of [a-z0-9._:-]")
    .argument("<spec>", "the spec, a JSON file")
    .action(
      action(async (file: string, flags: TxFlags & { id: string }) => {
        const spec = await specText(file);
        await sendTx(flags, TxKind.PUBLISH_PROFILE, () => publishProfileArgs(flags.id, spec), { show: { profile: flags.id } });
      }),
    );

  withTxOptions(profile.command("assign"), "key file of the device's owner or an admin")
    .description("make a device follow another profile")
    .requiredOption("--device <id>", "the device")
    .requiredOption("--profile <id>", "the profile")
    .action(
      action(async (flags: TxFlags & { device: string; profile: string }) => {
        await sendTx(flags, TxKind.ASSIGN_PROFILE, () => assignProfileArgs(flags.device, flags.profile));
      }),
    );

  profile
    .command("show")
    .description("show the newest version of a profile, or --version N")
    .argument("<id>", "profile id")
    .option("--version <n>", "a published version (1, 2, ...)")
    .addOption(apiOption())
    .addOption(jsonOption())
    .action(
      action(async (id: string, flags: JsonFlag & { api: string; version?: string }) => {
        const version = flags.version !== undefined ? parseCount(flags.version, "--version") : undefined;
        const info = await new AttestaClient({ url: flags.api }).profile(id, version);
        printResult(flags, info, () => profileLines(info));
      }),
    );

  return profile;
}
