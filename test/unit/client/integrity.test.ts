import { beforeAll, describe, expect, it } from "vitest";
import { query } from "../../../src/contracts/state.js";
import { decodeDeviceRecord, deviceRecordKey } from "../../../src/client/deviceRecord.js";
import {
  CLAIMED_SET_CAVEAT,
  IntegrityCheckCode,
  verifyIntegrity,
  type DeviceIntegrityAnswer,
  type VerifyIntegrityOptions,
} from "../../../src/client/integrity.js";
import { quorum } from "../../../src/consensus/proposer.js";
import { readDevice, type DeviceRecord } from "../../../src/contracts/modules/devices/index.js";
import { deviceTuple } from "../../../src/contracts/modules/devices/state.js";
import { validatorSetHash, validator } from "../../../src/contracts/modules/validators.js";
import { fromHex, toHex } from "../../../src/crypto/bytes.js";
import { ZERO_HASH } from "../../../src/crypto/hash.js";
import { generateKeyPair, signPayload, type KeyPair } from "../../../src/crypto/keys.js";
import { decode, encode } from "../../../src/ledger/codec.js";
import { VoteType, commitTuple, readCommit, votePayload, type Commit } from "../../../src/ledger/commit.js";
import { commitQuorum, validatorKeysHash } from "../../../src/ledger/commitCheck.js";
import { decodeHeader, encodeHeader, headerHash, headerPayload, type Header, type UnsignedHeader } from "../../../src/ledger/header.js";
import { MemoryNodeStore, SparseMerkleTree } from "../../../src/ledger/smt/index.js";

// verifyIntegrity against answers built here from the real pieces (the contracts' record
// encoding, a state tree, a header, precommits of 4 validators), so every tampering can be
// made by hand: each must fail with its code. The answer of a real node is checked in
// test/unit/node/integrity.test.ts.

const CHAIN = "attesta-test";
const ID = "st.7:no2";

let validators: KeyPair[];
let owner: KeyPair;
let record: DeviceRecord;
let answer: DeviceIntegrityAnswer;
let genesisAnswer: DeviceIntegrityAnswer;

function deviceRecord(id: string, status: DeviceRecord["status"] = "active"): DeviceRecord {
  return {
    id,
    keyType: "p256",
    publicKey: generateKeyPair("p256").publicKey,
    owner: owner.address,
    kind: "sensor",
    profileId: "air-quality",
    bridge: null,
    zone: "centre",
    meta: null,
    status,
    nonce: 3,
    registeredAt: 2,
    anomalyWindow: [1_700_000_000_000],
    counters: { txs: 3, readings: 3, anomalies: 1, feesPaid: 1234n },
  };
}

function commitFor(height: number, hash: Uint8Array, signers: readonly number[]): Commit {
  const payload = votePayload(CHAIN, VoteType.PRECOMMIT, height, 0, hash);
  return { height, round: 0, blockHash: hash, signatures: signers.map((index) => ({ index, signature: signPayload("secp256k1", validators[index]!.secretKey, payload) })) };
}

/** An answer for `rec` proved against a header at `height` whose state also holds 30 other records. */
async function buildAnswer(rec: DeviceRecord, height: number): Promise<DeviceIntegrityAnswer> {
  const store = new MemoryNodeStore();
  const t = new SparseMerkleTree(store);
  const others = Array.from({ length: 30 }, (_, i) => deviceRecord(`other-${i}`));
  const changes = [rec, ...others].map((r) => ({ key: deviceRecordKey(r.id), value: deviceTuple(r) }));
  const update = await t.update(ZERO_HASH, changes);
  store.putNodes(update.nodes);
  const key = deviceRecordKey(rec.id);
  const proof = await t.prove(update.root, key);
  const set = validators.map((v) => validator(v.publicKey));
  const unsigned: UnsignedHeader = {
    chainId: CHAIN,
    height,
    timestamp: 1_700_000_000_000 + height,
    parentHash: new Uint8Array(32).fill(7),
    txRoot: ZERO_HASH,
    stateRoot: update.root,
    receiptsRoot: ZERO_HASH,
    validatorsHash: validatorSetHash(set),
    nextValidatorsHash: validatorSetHash(set),
    proposer: validators[height % validators.length]!.address,
    parentCommit: null,
  };
  const header: Header = { ...unsigned, signature: height === 0 ? new Uint8Array() : signPayload("secp256k1", validators[0]!.secretKey, headerPayload(unsigned)) };
  const hash = headerHash(header);
  const commit = height === 0 ? null : commitFor(height, hash, [0, 1, 3]);
  return {
    id: rec.id,
    status: rec.status,
    kind: rec.kind,
    owner: toHex(rec.owner),
    profileId: rec.profileId,
    profileVersion: 1,
    bridge: rec.bridge,
    counters: { txs: rec.counters.txs, readings: rec.counters.readings, anomalies: rec.counters.anomalies, feesPaid: rec.counters.feesPaid.toString() },
    anomalyWindow: [...rec.anomalyWindow],
    recentFindings: [],
    proof: {
      height,
      blockHash: toHex(hash),
      stateRoot: toHex(header.stateRoot),
      key: toHex(key),
      record: toHex(deviceTuple(rec)),
      bitmap: toHex(proof.bitmap),
      siblings: proof.siblings.map(toHex),
      header: toHex(encodeHeader(header)),
      commit: commit === null ? null : toHex(encode(commitTuple(commit))),
      validators: validators.map((v) => toHex(v.publicKey)),
    },
  };
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] extends object ? Mutable<T[K]> : T[K] };

/** A deep copy of the answer, changed by `change`. */
function tampered(change: (a: Mutable<DeviceIntegrityAnswer>) => void, base: DeviceIntegrityAnswer = answer): DeviceIntegrityAnswer {
  const copy = structuredClone(base) as Mutable<DeviceIntegrityAnswer>;
  change(copy);
  return copy;
}

function flipByte(hex: string, index: number): string {
  const bytes = fromHex(hex);
  bytes[index] = bytes[index]! ^ 0x01;
  return toHex(bytes);
}

function reheader(a: Mutable<DeviceIntegrityAnswer>, change: (h: Header) => Header): void {
  const header = change(decodeHeader(fromHex(a.proof.header)));
  a.proof.header = toHex(encodeHeader(header));
}

function codeOf(a: DeviceIntegrityAnswer, opts?: VerifyIntegrityOptions): string {
  const verdict = verifyIntegrity(a, opts);
  return verdict.holds ? "HOLDS" : verdict.code;
}

beforeAll(async () => {
  validators = Array.from({ length: 4 }, () => generateKeyPair("secp256k1"));
  owner = generateKeyPair("secp256k1");
  record = deviceRecord(ID);
  answer = await buildAnswer(record, 12);
  genesisAnswer = await buildAnswer(record, 0);
});

describe("verifyIntegrity: an honest answer", () => {
  it("holds, with the record as its proved bytes say and the claimed-set caveat", () => {
    const verdict = verifyIntegrity(answer);
    expect(verdict).toMatchObject({ holds: true, deviceId: ID, chainId: CHAIN, height: 12, blockHash: answer.proof.blockHash, trust: "claimed-validators" });
    if (!verdict.holds) return;
    expect(verdict.record).toMatchObject({ id: ID, status: "active", profileId: "air-quality", owner: toHex(owner.address), counters: { feesPaid: 1234n } });
    expect(verdict.caveats).toContain(CLAIMED_SET_CAVEAT);
  });

  it("holds against a trusted validator set equal to the header's, without the claimed-set caveat", () => {
    const verdict = verifyIntegrity(answer, { trustedValidators: validators.map((v) => v.publicKey), chainId: CHAIN });
    expect(verdict).toMatchObject({ holds: true, trust: "trusted-validators" });
    if (verdict.holds) expect(verdict.caveats).not.toContain(CLAIMED_SET_CAVEAT);
  });

  it("a genesis-header answer (no commit) holds only against the trusted genesis hash", () => {
    expect(codeOf(genesisAnswer)).toBe(IntegrityCheckCode.BAD_COMMIT);
    expect(verifyIntegrity(genesisAnswer, { genesisHash: genesisAnswer.proof.blockHash })).toMatchObject({ holds: true, trust: "genesis" });
    expect(codeOf(genesisAnswer, { genesisHash: answer.proof.blockHash })).toBe(IntegrityCheckCode.HEADER_MISMATCH);
  });

  it("holds for a suspended device whose answer says so", async () => {
    const suspended = await buildAnswer(deviceRecord("st.8", "suspended"), 5);
    expect(verifyIntegrity(suspended)).toMatchObject({ holds: true, record: { status: "suspended" } });
  });
});

describe("verifyIntegrity: every tampering fails with its code", () => {
  it("BAD_PROOF: a record byte, a sibling, a bitmap bit, a dropped sibling, another key", () => {
    const record = fromHex(answer.proof.record);
    for (let i = 0; i < record.length; i += 7) expect(codeOf(tampered((a) => void (a.proof.record = flipByte(a.proof.record, i))))).toBe(IntegrityCheckCode.BAD_PROOF);
    expect(answer.proof.siblings.length).toBeGreaterThan(2);
    answer.proof.siblings.forEach((_, i) => {
      expect(codeOf(tampered((a) => void (a.proof.siblings[i] = flipByte(a.proof.siblings[i]!, 31))))).toBe(IntegrityCheckCode.BAD_PROOF);
    });
    for (const byte of [0, 1, 31]) expect(codeOf(tampered((a) => void (a.proof.bitmap = flipByte(a.proof.bitmap, byte))))).toBe(IntegrityCheckCode.BAD_PROOF);
    expect(codeOf(tampered((a) => void a.proof.siblings.pop()))).toBe(IntegrityCheckCode.BAD_PROOF);
    expect(codeOf(tampered((a) => void (a.proof.key = toHex(deviceRecordKey("other-1")))))).toBe(IntegrityCheckCode.BAD_PROOF);
  });

  it("BAD_PROOF: another device's genuine record and proof offered under this id", async () => {
    const other = await buildAnswer(deviceRecord("st.9"), 12);
    expect(codeOf(tampered((a) => void (a.id = "st.9"), answer))).toBe(IntegrityCheckCode.BAD_PROOF);
    expect(codeOf(tampered((a) => void (a.id = ID), other))).toBe(IntegrityCheckCode.BAD_PROOF);
  });

  it("HEADER_MISMATCH: any header field changed (the header no longer hashes to the certified block)", () => {
    const changes: Array<(h: Header) => Header> = [
      (h) => ({ ...h, timestamp: h.timestamp + 1 }),
      (h) => ({ ...h, height: h.height + 1 }),
      (h) => ({ ...h, txRoot: new Uint8Array(32).fill(1) }),
      (h) => ({ ...h, stateRoot: new Uint8Array(32).fill(2) }),
      (h) => ({ ...h, chainId: "other-chain" }),
    ];
    for (const change of changes) {
      const a = tampered((x) => {
        reheader(x, change);
        const h = decodeHeader(fromHex(x.proof.header));
        // The answer's own fields follow the forged header, so only the commit link can catch it.
        x.proof.height = h.height;
        x.proof.stateRoot = toHex(h.stateRoot);
        x.proof.blockHash = toHex(headerHash(h));
      });
      expect(codeOf(a)).toBe(IntegrityCheckCode.HEADER_MISMATCH);
    }
  });

  it("HEADER_MISMATCH: the answer's height, block hash or state root disagree with its header, or another chain id is expected", () => {
    expect(codeOf(tampered((a) => void (a.proof.height += 1)))).toBe(IntegrityCheckCode.HEADER_MISMATCH);
    expect(codeOf(tampered((a) => void (a.proof.blockHash = flipByte(a.proof.blockHash, 0))))).toBe(IntegrityCheckCode.HEADER_MISMATCH);
    expect(codeOf(tampered((a) => void (a.proof.stateRoot = flipByte(a.proof.stateRoot, 0))))).toBe(IntegrityCheckCode.HEADER_MISMATCH);
    expect(codeOf(answer, { chainId: "other-chain" })).toBe(IntegrityCheckCode.HEADER_MISMATCH);
  });

  it("BAD_COMMIT: a signature changed, too few signatures, duplicates, an unknown index, another round's votes, no commit", () => {
    const withCommit = (change: (c: Commit) => Commit) =>
      tampered((a) => void (a.proof.commit = toHex(encode(commitTuple(change(readCommit(decode(fromHex(a.proof.commit!)))))))));
    expect(codeOf(withCommit((c) => ({ ...c, signatures: c.signatures.map((s, i) => (i === 1 ? { ...s, signature: fromHex(flipByte(toHex(s.signature), 5)) } : s)) })))).toBe(
      IntegrityCheckCode.BAD_COMMIT,
    );
    expect(codeOf(withCommit((c) => ({ ...c, signatures: c.signatures.slice(0, 2) })))).toBe(IntegrityCheckCode.BAD_COMMIT);
    expect(codeOf(withCommit((c) => ({ ...c, signatures: [c.signatures[0]!, c.signatures[0]!, c.signatures[1]!] })))).toBe(IntegrityCheckCode.BAD_COMMIT);
    expect(codeOf(withCommit((c) => ({ ...c, signatures: [...c.signatures, { index: 9, signature: c.signatures[0]!.signature }] })))).toBe(IntegrityCheckCode.BAD_COMMIT);
    expect(codeOf(withCommit((c) => ({ ...c, round: 1 })))).toBe(IntegrityCheckCode.BAD_COMMIT);
    expect(codeOf(tampered((a) => void (a.proof.commit = null)))).toBe(IntegrityCheckCode.BAD_COMMIT);
  });

  it("a header and certificate forged by another set hold only under claimed-set trust: a trusted set refuses them", () => {
    const forgers = Array.from({ length: 4 }, () => generateKeyPair("secp256k1"));
    // Swapping only the claimed keys breaks the link to the header's validatorsHash.
    expect(codeOf(tampered((a) => void (a.proof.validators = forgers.map((v) => toHex(v.publicKey)))))).toBe(IntegrityCheckCode.VALIDATORS_MISMATCH);
    // A forger who rewrites the header to name its own set and signs it is caught only by a set the caller trusts.
    const forged = tampered((a) => {
      reheader(a, (h) => ({ ...h, validatorsHash: validatorKeysHash(forgers.map((v) => v.publicKey)) }));
      const h = decodeHeader(fromHex(a.proof.header));
      const hash = headerHash(h);
      const payload = votePayload(CHAIN, VoteType.PRECOMMIT, h.height, 0, hash);
      const commit: Commit = { height: h.height, round: 0, blockHash: hash, signatures: [0, 1, 2].map((index) => ({ index, signature: signPayload("secp256k1", forgers[index]!.secretKey, payload) })) };
      a.proof.blockHash = toHex(hash);
      a.proof.commit = toHex(encode(commitTuple(commit)));
      a.proof.validators = forgers.map((v) => toHex(v.publicKey));
    });
    expect(verifyIntegrity(forged)).toMatchObject({ holds: true, trust: "claimed-validators", caveats: expect.arrayContaining([CLAIMED_SET_CAVEAT]) });
    expect(codeOf(forged, { trustedValidators: validators.map((v) => toHex(v.publicKey)) })).toBe(IntegrityCheckCode.VALIDATORS_MISMATCH);
  });

  it("VALIDATORS_MISMATCH: a claimed set or a trusted set other than the header's", () => {
    expect(codeOf(tampered((a) => void a.proof.validators.pop()))).toBe(IntegrityCheckCode.VALIDATORS_MISMATCH);
    expect(codeOf(tampered((a) => void a.proof.validators.reverse()))).toBe(IntegrityCheckCode.VALIDATORS_MISMATCH);
    expect(codeOf(answer, { trustedValidators: [generateKeyPair("secp256k1").publicKey] })).toBe(IntegrityCheckCode.VALIDATORS_MISMATCH);
  });

  it("RECORD_MISMATCH: the answer claims another status, owner, profile, kind, bridge, counters or window than the proved record", () => {
    const claims: Array<(a: Mutable<DeviceIntegrityAnswer>) => void> = [
      (a) => void (a.status = "suspended"),
      (a) => void (a.status = "revoked"),
      (a) => void (a.owner = toHex(generateKeyPair().address)),
      (a) => void (a.profileId = "other-profile"),
      (a) => void (a.kind = "bridge"),
      (a) => void (a.bridge = "br.1"),
      (a) => void (a.counters.anomalies = 0),
      (a) => void (a.counters.feesPaid = "1"),
      (a) => void (a.anomalyWindow = []),
    ];
    for (const claim of claims) expect(codeOf(tampered(claim))).toBe(IntegrityCheckCode.RECORD_MISMATCH);
  });

  it("RECORD_MISMATCH: proved bytes that are not a device record", async () => {
    const store = new MemoryNodeStore();
    const tree = new SparseMerkleTree(store);
    const key = deviceRecordKey(ID);
    const junk = encode(["not", "a", "device"]);
    const update = await tree.update(ZERO_HASH, [{ key, value: junk }]);
    store.putNodes(update.nodes);
    const proof = await tree.prove(update.root, key);
    const base = await buildAnswer(record, 3);
    const header = decodeHeader(fromHex(base.proof.header));
    const forged: Header = { ...header, stateRoot: update.root };
    const hash = headerHash(forged);
    const a = tampered((x) => {
      x.proof.header = toHex(encodeHeader(forged));
      x.proof.stateRoot = toHex(update.root);
      x.proof.blockHash = toHex(hash);
      x.proof.commit = toHex(encode(commitTuple(commitFor(3, hash, [0, 1, 2]))));
      x.proof.record = toHex(junk);
      x.proof.bitmap = toHex(proof.bitmap);
      x.proof.siblings = proof.siblings.map(toHex);
    }, base);
    expect(codeOf(a)).toBe(IntegrityCheckCode.RECORD_MISMATCH);
  });

  it("MALFORMED: bad hex, undecodable or non-canonical header, short hashes, a missing proof; never an exception", () => {
    expect(codeOf(tampered((a) => void (a.proof.header = "0xzz")))).toBe(IntegrityCheckCode.MALFORMED);
    expect(codeOf(tampered((a) => void (a.proof.header = "0x0102")))).toBe(IntegrityCheckCode.MALFORMED);
    expect(codeOf(tampered((a) => void (a.proof.commit = "0xc1")))).toBe(IntegrityCheckCode.MALFORMED);
    expect(codeOf(tampered((a) => void (a.proof.siblings[0] = "0x00")))).toBe(IntegrityCheckCode.MALFORMED);
    expect(codeOf(tampered((a) => void (a.proof.bitmap = "0x00")))).toBe(IntegrityCheckCode.MALFORMED);
    expect(codeOf(tampered((a) => void (a.proof.validators[0] = "0x01")))).toBe(IntegrityCheckCode.MALFORMED);
    expect(codeOf(tampered((a) => void (a.id = "UPPER")))).toBe(IntegrityCheckCode.MALFORMED);
    expect(codeOf({ ...answer, proof: null } as unknown as DeviceIntegrityAnswer)).toBe(IntegrityCheckCode.MALFORMED);
    expect(codeOf(null as unknown as DeviceIntegrityAnswer)).toBe(IntegrityCheckCode.MALFORMED);
  });
});

describe("the SDK's copies of layouts it may not import", () => {
  it("deviceRecordKey is the key readDevice reads, and decodeDeviceRecord reads deviceTuple's bytes", async () => {
    let readKey: Uint8Array | undefined;
    await query({ get: async (key) => void (readKey = key) }, (view) => readDevice(view, ID));
    expect(readKey).toEqual(deviceRecordKey(ID));
    const decoded = decodeDeviceRecord(deviceTuple(record));
    expect(decoded).toEqual({ ...record, publicKey: toHex(record.publicKey), owner: toHex(record.owner) });
  });

  it("commitQuorum is the consensus quorum and validatorKeysHash the header's validatorsHash", () => {
    for (let n = 1; n <= 100; n++) expect(commitQuorum(n)).toBe(quorum(n));
    const set = validators.map((v) => validator(v.publicKey));
    expect(validatorKeysHash(set.map((v) => v.publicKey))).toEqual(validatorSetHash(set));
  });
});
