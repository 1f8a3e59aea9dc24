import { addressOf } from "../crypto/address.js";
import { readDevice } from "../contracts/modules/devices/state.js";
import { listOffers, licencesOf } from "../contracts/modules/market/state.js";
import { profileInForce, readProfile } from "../contracts/modules/profiles/state.js";
import { openVotes, validatorSetAt } from "../contracts/modules/validators.js";
import type { ProfileVersion } from "../contracts/modules/profiles/spec.js";
import type { Mempool } from "../inspect/mempool.js";
import type { ChainStore } from "../ledger/storage/chainStore.js";
import type { Chain } from "./chain.js";
import { anomaliesFrom, anomaliesOf, lastReadingOf, readingsOf } from "./readingIndex.js";
import type { AnomalyView, AttestationQueries, DeviceView, LicenceView, OfferView, ReadingView, ValidatorsView } from "./types.js";

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
    const record = await readDevice(chain.state, id);
    if (record === undefined) return undefined;
    const head = chain.head.header;
    const profile = await profileInForce(chain.state, record.profileId, head.height + 1);
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
    return readProfile(this.deps.chain.state, id, version);
  }

  async validators(): Promise<ValidatorsView> {
    const state = this.deps.chain.state;
    const next = this.deps.chain.head.header.height + 1;
    return { validators: await validatorSetAt(state, next), votes: await openVotes(state, next) };
  }

  async marketOffers({ from, limit }: { readonly from?: number; readonly limit: number }): Promise<OfferView[]> {
    return listOffers(this.deps.chain.state, { ...(from !== undefined ? { from } : {}), limit });
  }

  async licences(buyer: Uint8Array): Promise<LicenceView[]> {
    return licencesOf(this.deps.chain.state, buyer);
  }
}
