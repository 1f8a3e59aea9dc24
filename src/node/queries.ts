import { addressOf } from "../crypto/address.js";
import { equalBytes } from "../crypto/bytes.js";
import { readDevice } from "../contracts/modules/devices/state.js";
import { listOffers, licencesOf } from "../contracts/modules/market/state.js";
import { profileInForce, readProfile } from "../contracts/modules/profiles/state.js";
import { openVotes, validatorSetAt, validatorSetHash } from "../contracts/modules/validators.js";
import { query, type StateReader } from "../contracts/state.js";
import { AttestaError } from "../errors.js";
import type { ProfileVersion } from "../contracts/modules/profiles/spec.js";
import type { Mempool } from "../inspect/mempool.js";
import { headerHash } from "../ledger/header.js";
import { verifyStateProof } from "../ledger/smt/index.js";
import type { ChainStore } from "../ledger/storage/chainStore.js";
import type { Chain } from "./chain.js";
import { anomaliesFrom, anomaliesOf, lastReadingOf, readingsOf } from "./readingIndex.js";
import {
  IntegrityErrorCode,
  type AnomalyView,
  type AttestationQueries,
  type DeviceIntegrityView,
  type DeviceView,
  type LicenceView,
  type OfferView,
  type ReadingView,
  type ValidatorsView,
} from "./types.js";

/** How many of a device's latest anomalies an integrity answer lists. */
export const RECENT_FINDINGS = 5;
/** Attempts at a coherent answer while blocks keep arriving (each a new finalized header). */
const INTEGRITY_ATTEMPTS = 3;

/** A reader over `state` that remembers the last key and value read. */
function recordingReader(state: StateReader): StateReader & { key?: Uint8Array; value?: Uint8Array } {
  const reader: StateReader & { key?: Uint8Array; value?: Uint8Array } = {
    get: async (key) => {
      const value = await state.get(key);
      reader.key = key;
      if (value !== undefined) reader.value = value;
      return value;
    },
  };
  return reader;
}

export interface QueryDeps {
  readonly store: ChainStore;
  readonly chain: Chain;
  readonly mempool: Mempool;
}

/**
 * The node's read side for device attestation: contract state at the head for records,
 * profiles, votes and the market; the readings index for history and anomalies.
 */
export class AttestationQueryService implements AttestationQueries {
  constructor(private readonly deps: QueryDeps) {}

  async device(id: string): Promise<DeviceView | undefined> {
    const { chain, store, mempool } = this.deps;
    const record = await query(chain.state, (s) => readDevice(s, id));
    if (record === undefined) return undefined;
    const head = chain.head.header;
    const profile = await query(chain.state, (s) => profileInForce(s, record.profileId, head.height + 1));
    const last = await lastReadingOf(store, id);
    const address = addressOf(record.publicKey);
    const maxSeconds = profile?.spec.interval?.maxSeconds;
    // Late: silent past interval.maxSeconds, judged from its last reading and the head block time.
    const late = maxSeconds !== undefined && last !== undefined && record.status === "active" && head.timestamp - last.ts > maxSeconds * 1000;
    return {
      record,
      address,
      profileVersion: profile?.version ?? null,
      lastReading: last === undefined ? null : { seq: last.seq, ts: last.ts },
      pendingNonce: mempool.pendingNonce(address, record.nonce),
      late,
    };
  }

  /**
   * The device's record proved against the latest finalized header. The state cache holds the
   * head state only, so the record read there is offered with a proof against the finalized
   * root (tree nodes of past roots are kept): when a block not yet final changed it, the proof
   * does not hold and the answer waits for finality (NOT_FINALIZED after a few attempts).
   */
  async deviceIntegrity(id: string): Promise<DeviceIntegrityView | undefined> {
    const { chain, store } = this.deps;
    for (let attempt = 0; attempt < INTEGRITY_ATTEMPTS; attempt++) {
      const height = chain.finalizedHeight;
      const block = await store.block(height);
      if (block === undefined) throw new Error(`no block at the finalized height ${height}`);
      const header = block.header;
      // readDevice builds the record's key: the proof is of exactly that key and the bytes stored under it.
      const reader = recordingReader(chain.state);
      const record = await query(reader, (s) => readDevice(s, id));
      if (record === undefined) return undefined;
      const key = reader.key;
      const recordBytes = reader.value;
      if (key === undefined || recordBytes === undefined) throw new Error("device record read without a key");
      const proof = await chain.tree.prove(header.stateRoot, key);
      if (!verifyStateProof(header.stateRoot, key, recordBytes, proof)) continue;
      const validators = await query(chain.state, (s) => validatorSetAt(s, height));
      if (!equalBytes(validatorSetHash(validators), header.validatorsHash)) continue;
      const commit = height === 0 ? null : await store.commit(height);
      if (commit === undefined) continue;
      const profile = await query(chain.state, (s) => profileInForce(s, record.profileId, chain.head.header.height + 1));
      const anomalies = await anomaliesOf(store, id, RECENT_FINDINGS + (chain.head.header.height - height));
      return {
        record,
        key,
        recordBytes,
        profileVersion: profile?.version ?? null,
        recentFindings: anomalies.filter((a) => a.height <= height).slice(0, RECENT_FINDINGS),
        proof,
        header,
        blockHash: headerHash(header),
        commit,
        validators,
      };
    }
    throw new AttestaError(IntegrityErrorCode.NOT_FINALIZED, "the device's record changed in a block that is not final yet; ask again", { device: id });
  }

  deviceReadings(id: string, { from = 0, limit }: { readonly from?: number; readonly limit: number }): Promise<ReadingView[]> {
    return readingsOf(this.deps.store, id, from, limit);
  }

  deviceAnomalies(id: string, { limit }: { readonly limit: number }): Promise<AnomalyView[]> {
    return anomaliesOf(this.deps.store, id, limit);
  }

  anomalies({ fromHeight = 0, limit }: { readonly fromHeight?: number; readonly limit: number }): Promise<AnomalyView[]> {
    return anomaliesFrom(this.deps.store, fromHeight, limit);
  }

  profile(id: string, version?: number): Promise<ProfileVersion | undefined> {
    return query(this.deps.chain.state, (s) => readProfile(s, id, version));
  }

  async validators(): Promise<ValidatorsView> {
    const state = this.deps.chain.state;
    const next = this.deps.chain.head.header.height + 1;
    return query(state, (s) => ({ validators: validatorSetAt(s, next), votes: openVotes(s, next) }));
  }

  async marketOffers({ from, limit }: { readonly from?: number; readonly limit: number }): Promise<OfferView[]> {
    return query(this.deps.chain.state, (s) => listOffers(s, { ...(from !== undefined ? { from } : {}), limit }));
  }

  async licences(buyer: Uint8Array): Promise<LicenceView[]> {
    return query(this.deps.chain.state, (s) => licencesOf(s, buyer));
  }
}
