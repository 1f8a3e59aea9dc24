import { equalBytes } from "../../../crypto/bytes.js";
import { AttestaError } from "../../../errors.js";
import { CodecErrorCode } from "../../../ledger/codec.js";
import { TupleReader } from "../../../ledger/tuple.js";
import { defineMethod } from "../../runtime.js";
import { hasRole } from "../access.js";
import { DEVICE_ID_RE, readDevice, writeDevice } from "../devices/state.js";
import { PROFILE_ID_RE, readProfile, writeNextVersion } from "./state.js";
import { MAX_SPEC_BYTES, parseProfileSpec, ProfileErrorCode } from "./validate.js";

function readId(r: TupleReader, field: string, re: RegExp): string {
  const v = r.string(field, 64);
  if (!re.test(v)) {
    throw new AttestaError(CodecErrorCode.MALFORMED, `args.${field}: expected 1-64 characters of [a-z0-9._:-]`, { field: `args.${field}` });
  }
  return v;
}

function fail(code: ProfileErrorCode, message: string, details?: Record<string, unknown>): never {
  throw new AttestaError(code, message, details);
}

/**
 * `profiles.publish [id, specJson]`: id, 1-64 of [a-z0-9._:-]; specJson, the spec as JSON text
 * of at most 16 KiB (validated at execution: PROFILE_INVALID). By an admin; creates version 1,
 * or the next version, in force from the next block.
 */
export const publish = defineMethod<{ id: string; specJson: string }>({
  decodeArgs(args) {
    const r = new TupleReader(args, "args", 2);
    return { id: readId(r, "id", PROFILE_ID_RE), specJson: r.string("specJson", MAX_SPEC_BYTES) };
  },
  authorise(state, sender) {
    if (!hasRole(state, sender, "admin")) fail(ProfileErrorCode.UNAUTHORISED, "only an admin publishes profiles");
  },
  execute(ctx, { id, specJson }) {
    const spec = parseProfileSpec(specJson);
    const published = writeNextVersion(ctx.state, id, spec, ctx.env.height);
    ctx.emit("profile.published", [
      ["profile", id],
      ["version", published.version],
    ]);
  },
});

/** `profiles.assign [deviceId, profileId]`: by the device's owner or an admin; the profile must exist. */
export const assign = defineMethod<{ deviceId: string; profileId: string }>({
  decodeArgs(args) {
    const r = new TupleReader(args, "args", 2);
    return { deviceId: readId(r, "deviceId", DEVICE_ID_RE), profileId: readId(r, "profileId", PROFILE_ID_RE) };
  },
  execute(ctx, { deviceId, profileId }) {
    const device = readDevice(ctx.state, deviceId);
    if (device === undefined) fail(ProfileErrorCode.DEVICE_UNKNOWN, "no such device", { device: deviceId });
    if (!equalBytes(device.owner, ctx.sender) && !hasRole(ctx.state, ctx.sender, "admin")) {
      fail(ProfileErrorCode.NOT_OWNER, "sender does not own the device", { device: deviceId });
    }
    if (device.status === "revoked") fail(ProfileErrorCode.DEVICE_REVOKED, "device is revoked", { device: deviceId });
    if (readProfile(ctx.state, profileId) === undefined) fail(ProfileErrorCode.PROFILE_UNKNOWN, "no such profile", { profile: profileId });
    writeDevice(ctx.state, { ...device, profileId });
    ctx.emit("profile.assigned", [
      ["device", deviceId],
      ["profile", profileId],
      ["previous", device.profileId],
    ]);
  },
});
