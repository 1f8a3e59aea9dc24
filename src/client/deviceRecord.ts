import { ADDRESS_LENGTH } from "../crypto/address.js";
import { toHex, utf8 } from "../crypto/bytes.js";
import { keyTypeFromCode, PUBLIC_KEY_LENGTH, type KeyType } from "../crypto/keyTypes.js";
import { AttestaError } from "../errors.js";
import { CodecErrorCode, decode } from "../ledger/codec.js";
import { TupleReader } from "../ledger/tuple.js";

// The devices module's record in state, as the SDK reads it to check an integrity answer
// without trusting the node. The contracts own the layout (src/contracts/modules/devices/state.ts,
// "stable"); the SDK may not import them, so this is the reading side of it, pinned to the
// contracts' deviceTuple and record key by test/unit/client/integrity.test.ts.

const DEVICES_MODULE = 0x04;
const RECORD_PART = 0x01;
const RECORD_FIELDS = 17;
const MAX_ID_LENGTH = 64;
const KINDS = ["sensor", "bridge"] as const;
const STATUSES = ["active", "suspended", "revoked"] as const;

/** The state key of a device's record: module byte, record part, utf8(id). */
export function deviceRecordKey(id: string): Uint8Array {
  const idBytes = utf8(id);
  const key = new Uint8Array(2 + idBytes.length);
  key[0] = DEVICES_MODULE;
  key[1] = RECORD_PART;
  key.set(idBytes, 2);
  return key;
}

/** A device record decoded from its proved bytes (bytes as 0x hex, fees as bigint). */
export interface ProvedDeviceRecord {
  readonly id: string;
  readonly keyType: KeyType;
  readonly publicKey: string;
  readonly owner: string;
  readonly kind: (typeof KINDS)[number];
  readonly profileId: string;
  readonly bridge: string | null;
  readonly zone: string | null;
  readonly meta: string | null;
  readonly status: (typeof STATUSES)[number];
  readonly nonce: number;
  readonly registeredAt: number;
  readonly anomalyWindow: readonly number[];
  readonly counters: { readonly txs: number; readonly readings: number; readonly anomalies: number; readonly feesPaid: bigint };
}

function malformed(field: string): never {
  throw new AttestaError(CodecErrorCode.MALFORMED, `device record: bad ${field}`, { field: `device.${field}` });
}

function nullableString(r: TupleReader, field: string): string | null {
  return r.optional(field, (v) => (typeof v === "string" && v.length <= 256 ? v : malformed(field)));
}

/** Strict decoding of a device record's canonical bytes; MALFORMED (or NON_CANONICAL) otherwise. */
export function decodeDeviceRecord(bytes: Uint8Array): ProvedDeviceRecord {
  const r = new TupleReader(decode(bytes), "device", RECORD_FIELDS);
  const id = r.string("id", MAX_ID_LENGTH);
  const keyType = keyTypeFromCode(r.uint("keyType")) ?? malformed("keyType");
  const publicKey = toHex(r.bytes("publicKey", PUBLIC_KEY_LENGTH[keyType]));
  const owner = toHex(r.bytes("owner", ADDRESS_LENGTH));
  const kind = KINDS[r.uint("kind")] ?? malformed("kind");
  const profileId = r.string("profileId", MAX_ID_LENGTH);
  const bridge = nullableString(r, "bridge");
  const zone = nullableString(r, "zone");
  const meta = nullableString(r, "meta");
  const status = STATUSES[r.uint("status")] ?? malformed("status");
  const nonce = r.uint("nonce");
  const registeredAt = r.uint("registeredAt");
  const anomalyWindow = r.list("anomalyWindow").map((v) => (typeof v === "number" && Number.isSafeInteger(v) && v >= 0 ? v : malformed("anomalyWindow")));
  const counters = { txs: r.uint("txs"), readings: r.uint("readings"), anomalies: r.uint("anomalies"), feesPaid: r.u64("feesPaid") };
  return { id, keyType, publicKey, owner, kind, profileId, bridge, zone, meta, status, nonce, registeredAt, anomalyWindow, counters };
}
