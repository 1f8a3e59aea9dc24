// The devices of the devnet benchmark, registered by the devnet's dev account: bridges with
// their sensors (for bridge batches) and stand-alone devices that sign their own readings,
// whose readings are signed before the clock starts.
import {
  buildTransaction,
  generateKeyPair,
  publishProfileArgs,
  readingArgs,
  registerDeviceArgs,
  TxKind,
  type AttestaClient,
  type KeyPair,
  type KeyType,
  type RegisterDeviceParams,
  type SignedTransaction,
} from "../src/client/index.js";
import { MAX_NONCE_AHEAD } from "../src/inspect/admit.js";
import { FLOOD_PROFILE, FLOOD_SPEC, type FloodStation } from "../test/fixtures/flood.js";

export interface ChainView {
  readonly client: AttestaClient;
  readonly devKey: KeyPair;
  readonly chainId: string;
  readonly feePerByte: bigint;
}

/** A device with the key it signs with. */
export interface SigningDevice {
  readonly id: string;
  readonly key: KeyPair;
}

/**
 * Publishes FLOOD_PROFILE (no interval, range or anomaly rules: an honest reading always
 * passes), then registers every device with the dev key, group after group (admission checks a
 * sensor's bridge at the head state, so bridges go in a group before their sensors'), at most
 * MAX_NONCE_AHEAD per round (the node's limit on nonces ahead), each round waited for until final.
 */
export async function registerFleet(chain: ChainView, ...groups: ReadonlyArray<readonly RegisterDeviceParams[]>): Promise<void> {
  const { client, devKey } = chain;
  await client.send(devKey, TxKind.PUBLISH_PROFILE, publishProfileArgs(FLOOD_PROFILE, FLOOD_SPEC), { wait: "final" });
  for (const devices of groups) await registerGroup(chain, devices);
}

async function registerGroup(chain: ChainView, devices: readonly RegisterDeviceParams[]): Promise<void> {
  const { client, devKey } = chain;
  for (let i = 0; i < devices.length; i += MAX_NONCE_AHEAD) {
    const { pendingNonce } = await client.account(devKey.address);
    const txs = devices.slice(i, i + MAX_NONCE_AHEAD).map((d, k) =>
      buildTransaction({ chainId: chain.chainId, kind: TxKind.REGISTER_DEVICE, args: registerDeviceArgs(d), key: devKey, nonce: pendingNonce + k, feePerByte: chain.feePerByte }),
    );
    const refused = (await client.submitBatch(txs)).find((r) => "error" in r);
    if (refused !== undefined) throw new Error(`device registration refused: ${JSON.stringify(refused)}`);
    const last = await client.waitForTx(txs[txs.length - 1]!.hash, { until: "final", pollMs: 100 });
    if (last.receipt?.status !== "ok") throw new Error(`device registration failed: ${last.receipt?.code}`);
  }
}

/** `count` bridges, each with `sensors` sensors bound to it (P-256 keys, unused: the bridge signs). */
export function makeStations(count: number, sensors: number): { stations: FloodStation[]; bridges: RegisterDeviceParams[]; sensors: RegisterDeviceParams[] } {
  const stations: FloodStation[] = [];
  const bridges: RegisterDeviceParams[] = [];
  const registrations: RegisterDeviceParams[] = [];
  for (let b = 0; b < count; b++) {
    const bridge = { id: `bench-b${b}`, key: generateKeyPair("secp256k1") };
    const ids = Array.from({ length: sensors }, (_, s) => `bench-b${b}.s${s}`);
    stations.push({ bridge, sensors: ids });
    bridges.push({ id: bridge.id, keyType: "secp256k1", publicKey: bridge.key.publicKey, profileId: FLOOD_PROFILE, kind: "bridge" });
    for (const id of ids) registrations.push({ id, keyType: "p256", publicKey: generateKeyPair("p256").publicKey, profileId: FLOOD_PROFILE, bridge: bridge.id });
  }
  return { stations, bridges, sensors: registrations };
}

/** `count` stand-alone sensors that sign their own readings. */
export function makeSigningDevices(count: number, keyType: KeyType): { devices: SigningDevice[]; registrations: RegisterDeviceParams[] } {
  const devices = Array.from({ length: count }, (_, d) => ({ id: `bench-d${d}`, key: generateKeyPair(keyType) }));
  return { devices, registrations: devices.map((d) => ({ id: d.id, keyType, publicKey: d.key.publicKey, profileId: FLOOD_PROFILE })) };
}

/**
 * Each device's first `perDevice` `readings.submit` transactions (nonce 0, seq 1 on), signed
 * now, device-major within each round so an early stop still leaves every device with a prefix.
 * Yields to the event loop between devices' rounds, so it can run alongside the registration.
 */
export async function presignReadings(chain: Omit<ChainView, "client" | "devKey">, devices: readonly SigningDevice[], perDevice: number): Promise<SignedTransaction[][]> {
  const out: SignedTransaction[][] = devices.map(() => []);
  for (let n = 0; n < perDevice; n++) {
    for (const [d, device] of devices.entries()) {
      const reading = { deviceId: device.id, seq: n + 1, ts: Date.now(), values: { v: n % 1000 } };
      out[d]!.push(buildTransaction({ chainId: chain.chainId, kind: TxKind.SUBMIT_READING, args: readingArgs(reading), key: device.key, nonce: n, feePerByte: chain.feePerByte }));
    }
    await new Promise((resolve) => setImmediate(resolve));
  }
  return out;
}
