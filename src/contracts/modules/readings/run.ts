import type { CallContext } from "../../runtime.js";
import { countReadings } from "../accounts.js";
import { readDevice, suspendDevice, writeDevice } from "../devices/state.js";
import type { DeviceRecord } from "../devices/types.js";
import { profileInForce } from "../profiles/state.js";
import type { ProfileVersion } from "../profiles/spec.js";
import type { DeviceReadingState } from "./evaluate.js";
import { readReadingState, writeReadingState } from "./state.js";

/** What the readings of one transaction (or one inspected reading) see of their call. */
export type ReadingContext = Pick<CallContext, "state" | "env" | "emit">;

/** A device as one transaction's readings see it: read once, written back once at the end. */
export interface DeviceEntry {
  device: DeviceRecord;
  /** Loaded on the device's first reading that gets as far as the seq check. */
  readings: DeviceReadingState | undefined;
  dirty: boolean;
}

/**
 * What one transaction's readings share: each device's record and reading state are read once
 * and written once (a bridge batch often carries several readings of a device), profiles are
 * looked up once, and owners' counters are added once. Nothing reaches the state until
 * `flush`, so a transaction that fails after a rejected reading writes nothing.
 */
export class ReadingRun {
  private readonly profiles = new Map<string, ProfileVersion | undefined>();
  private readonly devices = new Map<string, DeviceEntry>();
  private readonly owners = new Map<string, { address: Uint8Array; readings: number; anomalies: number }>();

  constructor(readonly ctx: ReadingContext) {}

  device(id: string): DeviceEntry | undefined {
    const cached = this.devices.get(id);
    if (cached !== undefined) return cached;
    const device = readDevice(this.ctx.state, id);
    if (device === undefined) return undefined;
    const entry: DeviceEntry = { device, readings: undefined, dirty: false };
    this.devices.set(id, entry);
    return entry;
  }

  readings(entry: DeviceEntry): DeviceReadingState {
    entry.readings ??= readReadingState(this.ctx.state, entry.device.id);
    return entry.readings;
  }

  profile(id: string): ProfileVersion | undefined {
    if (this.profiles.has(id)) return this.profiles.get(id);
    const profile = profileInForce(this.ctx.state, id, this.ctx.env.height);
    this.profiles.set(id, profile);
    return profile;
  }

  /** Counts an accepted reading for the device's owner. */
  count(owner: Uint8Array, flagged: boolean): void {
    const k = Buffer.from(owner.buffer, owner.byteOffset, owner.byteLength).toString("latin1");
    const entry = this.owners.get(k);
    if (entry === undefined) this.owners.set(k, { address: owner, readings: 1, anomalies: flagged ? 1 : 0 });
    else {
      entry.readings++;
      if (flagged) entry.anomalies++;
    }
  }

  /** Suspends the device by its profile's policy (emitting device.suspended after the reading's event). */
  suspend(entry: DeviceEntry, reason: string): void {
    this.write(entry);
    suspendDevice(this.ctx, entry.device.id, reason);
    entry.device = readDevice(this.ctx.state, entry.device.id) as DeviceRecord;
  }

  private write(entry: DeviceEntry): void {
    if (!entry.dirty) return;
    writeDevice(this.ctx.state, entry.device);
    if (entry.readings !== undefined) writeReadingState(this.ctx.state, entry.device.id, entry.readings);
    entry.dirty = false;
  }

  /** Writes the devices touched and adds the counted readings to their owners' accounts (in first-seen order). */
  flush(): void {
    for (const entry of this.devices.values()) this.write(entry);
    for (const o of this.owners.values()) countReadings(this.ctx.state, o.address, o.readings, o.anomalies);
    this.owners.clear();
  }
}
