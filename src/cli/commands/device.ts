import { Command } from "commander";
import { AttestaClient } from "../../client/client.js";
import {
  bindDeviceArgs,
  registerDeviceArgs,
  reinstateDeviceArgs,
  revokeDeviceArgs,
  rotateDeviceKeyArgs,
  suspendDeviceArgs,
  transferDeviceArgs,
  type DeviceKind,
} from "../../client/deviceArgs.js";
import { verifyIntegrity, type DeviceIntegrityAnswer, type IntegrityVerdict } from "../../client/integrity.js";
import { TxKind } from "../../client/txKinds.js";
import type { AnomalyInfo, DeviceInfo } from "../../client/types.js";
import { isHex } from "../../crypto/bytes.js";
import { KEY_TYPES, type KeyType } from "../../crypto/keyTypes.js";
import { AttestaError } from "../../errors.js";
import { CliErrorCode, cliError } from "../cliErrors.js";
import { action, apiOption, jsonOption, parseCount, printResult, type JsonFlag } from "../output.js";
import { choiceOption, sendTx, withTxOptions, type TxFlags } from "../sendTx.js";

interface IdFlags extends TxFlags {
  readonly id: string;
}

const findingText = (a: AnomalyInfo): string =>
  a.findings.map((f) => (f.metric === "" ? f.code : `${f.code} ${f.metric}=${f.value} (bound ${f.bound})`)).join(", ");

function deviceLines(d: DeviceInfo, anomalies: readonly AnomalyInfo[]): string[] {
  const c = d.counters;
  return [
    `device:     ${d.id} (${d.kind}, ${d.status}${d.late ? ", late" : ""})`,
    `owner:      ${d.owner}`,
    `key:        ${d.keyType} ${d.publicKey} (address ${d.address})`,
    `profile:    ${d.profileId} v${d.profileVersion ?? "-"}`,
    ...(d.bridge !== null ? [`bridge:     ${d.bridge}`] : []),
    ...(d.zone !== null ? [`zone:       ${d.zone}`] : []),
    ...(d.meta !== null ? [`meta:       ${d.meta}`] : []),
    `registered: at height ${d.registeredAt}`,
    `last:       ${d.lastReading === null ? "no reading yet" : `seq ${d.lastReading.seq} at ${new Date(d.lastReading.ts).toISOString()}`}`,
    `counters:   ${c.readings} readings, ${c.anomalies} anomalies, ${c.txs} txs, ${c.feesPaid} fees paid`,
    `nonce:      ${d.nonce} (pending ${d.pendingNonce})`,
    ...anomalies.map((a) => `anomaly:    seq ${a.seq} at height ${a.height}: ${findingText(a)}`),
  ];
}

function verifiedLines(answer: DeviceIntegrityAnswer, v: Extract<IntegrityVerdict, { holds: true }>): string[] {
  const r = v.record;
  const c = r.counters;
  return [
    `holds:      device ${r.id} is ${r.status} under profile ${r.profileId} (v${answer.profileVersion ?? "-"} as reported)`,
    `owner:      ${r.owner}`,
    `counters:   ${c.readings} readings, ${c.anomalies} anomalies, ${c.txs} txs, ${c.feesPaid} fees paid`,
    `proved at:  height ${v.height}, block ${v.blockHash}, state root ${v.stateRoot} (chain ${v.chainId})`,
    `trust:      ${v.trust}`,
    ...answer.recentFindings.map((a) => `finding:    seq ${a.seq} at height ${a.height}: ${findingText(a)} (as reported)`),
    ...v.caveats.map((text) => `caveat:     ${text}`),
  ];
}

export function deviceCommand(): Command {
  const device = new Command("device").description("register and manage devices, and show them");

  withTxOptions(device.command("register"), "key file of the owner (an operator)")
    .description("register a device; the signer becomes its owner and pays its fees")
    .requiredOption("--id <id>", "device id: 1-64 characters of [a-z0-9._:-]")
    .addOption(choiceOption("--key-type <type>", "the device's signature scheme", KEY_TYPES).makeOptionMandatory())
    .requiredOption("--public-key <hex>", "the device's public key, 0x hex (as `attesta keys new` prints it)")
    .requiredOption("--profile <id>", "the behaviour profile its readings are checked against")
    .addOption(choiceOption("--kind <kind>", "sensor, or a bridge that relays its sensors' readings", ["sensor", "bridge"]).default("sensor"))
    .option("--bridge <id>", "the bridge it is bound to (sensors only)")
    .option("--zone <zone>", "where it is: 1-64 characters of [a-z0-9._:-]")
    .option("--meta <text>", "free text, at most 256 characters")
    .action(
      action(async (flags: IdFlags & { keyType: KeyType; publicKey: string; profile: string; kind: DeviceKind; bridge?: string; zone?: string; meta?: string }) => {
        await sendTx(flags, TxKind.REGISTER_DEVICE, () =>
          registerDeviceArgs({
            id: flags.id,
            keyType: flags.keyType,
            publicKey: flags.publicKey,
            profileId: flags.profile,
            kind: flags.kind,
            bridge: flags.bridge,
            zone: flags.zone,
            meta: flags.meta,
          }),
        );
      }),
    );

  withTxOptions(device.command("bind"), "key file of the owner")
    .description("bind a sensor to a bridge of the same owner (or unbind it)")
    .requiredOption("--id <id>", "the sensor")
    .option("--bridge <id>", "the bridge")
    .option("--unbind", "unbind it from its bridge")
    .action(
      action(async (flags: IdFlags & { bridge?: string; unbind?: boolean }) => {
        if ((flags.bridge === undefined) === (flags.unbind !== true)) {
          throw cliError(CliErrorCode.BAD_ARGUMENT, "give either --bridge ID or --unbind", { name: "--bridge" });
        }
        await sendTx(flags, TxKind.BIND_DEVICE, () => bindDeviceArgs(flags.id, flags.bridge ?? null));
      }),
    );

  withTxOptions(device.command("rotate-key"), "key file of the owner")
    .description("replace a device's key with a new one of the same type (the old one is retired for good)")
    .requiredOption("--id <id>", "the device")
    .requiredOption("--public-key <hex>", "the new public key, 0x hex")
    .action(action(async (flags: IdFlags & { publicKey: string }) => sendTx(flags, TxKind.ROTATE_DEVICE_KEY, () => rotateDeviceKeyArgs(flags.id, flags.publicKey))));

  withTxOptions(device.command("suspend"), "key file of the owner or an admin")
    .description("suspend a device: its readings are refused until it is reinstated")
    .requiredOption("--id <id>", "the device")
    .option("--reason <text>", "why (recorded on chain)", "")
    .action(action(async (flags: IdFlags & { reason: string }) => sendTx(flags, TxKind.SUSPEND_DEVICE, () => suspendDeviceArgs(flags.id, flags.reason))));

  withTxOptions(device.command("reinstate"), "key file of the owner or an admin")
    .description("reinstate a suspended device (clears its anomaly window)")
    .requiredOption("--id <id>", "the device")
    .option("--reason <text>", "accepted for symmetry; reinstatement records no reason")
    .action(action(async (flags: IdFlags) => sendTx(flags, TxKind.REINSTATE_DEVICE, () => reinstateDeviceArgs(flags.id))));

  withTxOptions(device.command("revoke"), "key file of the owner or an admin")
    .description("revoke a device for good: its id and keys can never be registered again")
    .requiredOption("--id <id>", "the device")
    .option("--reason <text>", "why (recorded on chain)", "")
    .action(action(async (flags: IdFlags & { reason: string }) => sendTx(flags, TxKind.REVOKE_DEVICE, () => revokeDeviceArgs(flags.id, flags.reason))));

  withTxOptions(device.command("transfer"), "key file of the owner")
    .description("hand a device to another operator (a sensor is unbound from its bridge)")
    .requiredOption("--id <id>", "the device")
    .requiredOption("--to <address>", "0x address of the new owner")
    .action(action(async (flags: IdFlags & { to: string }) => sendTx(flags, TxKind.TRANSFER_DEVICE, () => transferDeviceArgs(flags.id, flags.to))));

  device
    .command("show")
    .description("show a device: record, status, profile version, counters, last reading and recent anomalies")
    .argument("<id>", "device id")
    .option("--anomalies <n>", "how many recent anomalies to list", "5")
    .addOption(apiOption())
    .addOption(jsonOption())
    .action(
      action(async (id: string, flags: JsonFlag & { api: string; anomalies: string }) => {
        const limit = parseCount(flags.anomalies, "--anomalies");
        const client = new AttestaClient({ url: flags.api });
        const info = await client.device(id);
        const anomalies = limit === 0 ? [] : await client.deviceAnomalies(id, { limit });
        printResult(flags, { ...info, anomalies }, () => deviceLines(info, anomalies));
      }),
    );

  device
    .command("verify")
    .description("fetch a device's integrity answer and check it locally: commit certificate, header, state proof of its record")
    .argument("<id>", "device id")
    .option("--validators <keys>", "comma-separated public keys (0x hex) of the validator set you trust; default: the set the answer claims")
    .option("--genesis <hash>", "the genesis hash you trust (needed only for a record proved against the genesis header)")
    .addOption(apiOption())
    .addOption(jsonOption())
    .action(
      action(async (id: string, flags: JsonFlag & { api: string; validators?: string; genesis?: string }) => {
        const trusted = flags.validators?.split(",").map((k) => k.trim());
        for (const key of [...(trusted ?? []), ...(flags.genesis !== undefined ? [flags.genesis] : [])]) {
          if (!isHex(key)) throw cliError(CliErrorCode.BAD_ARGUMENT, "--validators and --genesis take 0x hex", { name: key });
        }
        const answer = await new AttestaClient({ url: flags.api }).deviceIntegrity(id);
        const verdict = verifyIntegrity(answer, {
          ...(trusted !== undefined ? { trustedValidators: trusted } : {}),
          ...(flags.genesis !== undefined ? { genesisHash: flags.genesis } : {}),
        });
        if (!verdict.holds) throw new AttestaError(verdict.code, `device ${id}: the answer does not hold: ${verdict.message}`, { device: id });
        printResult(flags, { ...verdict, profileVersion: answer.profileVersion, recentFindings: answer.recentFindings }, () => verifiedLines(answer, verdict));
      }),
    );

  return device;
}
