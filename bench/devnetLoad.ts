// A windowed load generator for a network of nodes, from outside them through the HTTP API:
// each sender's transactions go, in nonce order, to the one node it is assigned to; at most
// `window` transactions are in flight (submitted, not yet seen final), shared evenly between
// the nodes, and at most `perSender` per sender (within the nodes' nonce-ahead limit). Finality
// is followed through one node's finalized blocks (`GET /v1/status`, `GET /v1/blocks/:height`),
// not by polling each transaction: a transaction counts when a finalized block holds it.
import { MAX_BATCH_TXS, toHex, type AttestaClient, type SignedTransaction } from "../src/client/index.js";

/** One sender's transactions in nonce order, each sent to `node`. */
export interface TxStream {
  readonly node: number;
  /** The next transaction, or undefined when the sender has no more. */
  next(): SignedTransaction | undefined;
  /** Readings a transaction of this sender carries. */
  readonly readingsPerTx: number;
}

export interface LoadPlan {
  /** One client per node; streams name nodes by index in this list. */
  readonly clients: readonly AttestaClient[];
  /** The node whose finalized blocks are followed. */
  readonly follow: AttestaClient;
  readonly streams: readonly TxStream[];
  readonly window: number;
  readonly perSender: number;
  /** Load before the counted interval (uncounted). */
  readonly warmupMs: number;
  readonly measureMs: number;
  /** After the interval, how long to wait for what is still in flight (uncounted). */
  readonly drainMs: number;
  /** How often the followed node's finalized height is read. */
  readonly pollMs?: number;
}

export interface LoadResult {
  /** Readings accepted at admission in transactions seen final during the counted interval. */
  readonly readings: number;
  readonly txs: number;
  readonly ms: number;
  /** Submission to seen-final of each of those transactions, in ms. */
  readonly latencies: readonly number[];
  /** Blocks finalized during the interval and the transactions they held. */
  readonly blocks: number;
  readonly blockTxs: number;
  /** Of those blocks: the time between consecutive block timestamps, and from a block's timestamp (its proposal) to its being seen final, in ms. */
  readonly blockIntervals: readonly number[];
  readonly proposalToFinal: readonly number[];
  /** Readings refused individually at admission (their transaction admitted). */
  readonly refusedReadings: number;
  /** True when a sender ran out of transactions before the interval ended. */
  readonly exhausted: boolean;
  /** Transactions still not final when the drain gave up. */
  readonly undrained: number;
}

interface InFlight {
  readonly sentAt: number;
  readonly readings: number;
  readonly stream: number;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs the plan: warm-up, the counted interval, then the drain. Throws on a refused transaction or a stall of 30 s. */
export async function runLoad(plan: LoadPlan): Promise<LoadResult> {
  const nodes = plan.clients.length;
  const perNode = Math.max(1, Math.floor(plan.window / nodes));
  const inFlight = new Map<string, InFlight>();
  const streamInFlight = plan.streams.map(() => 0);
  const nodeInFlight = plan.clients.map(() => 0);
  const byNode = plan.clients.map((_, n) => plan.streams.map((s, i) => ({ s, i })).filter(({ s }) => s.node === n));
  const cursor = plan.clients.map(() => 0);
  const start = performance.now();
  const countFrom = start + plan.warmupMs;
  const countTo = countFrom + plan.measureMs;
  let submitting = true;
  let failure: unknown;
  let exhausted = false;
  const r = { readings: 0, txs: 0, blocks: 0, blockTxs: 0, refusedReadings: 0, latencies: [] as number[], blockIntervals: [] as number[], proposalToFinal: [] as number[] };
  let lastTimestamp: number | undefined;

  /** Takes, round-robin over the node's senders, what the window and the per-sender limit allow. */
  const take = (n: number): Array<{ tx: SignedTransaction; stream: number }> => {
    const out: Array<{ tx: SignedTransaction; stream: number }> = [];
    const senders = byNode[n]!;
    let idle = 0;
    while (out.length < MAX_BATCH_TXS && nodeInFlight[n]! + out.length < perNode && idle < senders.length) {
      const k = cursor[n]!;
      cursor[n] = (k + 1) % senders.length;
      const { s, i } = senders[k]!;
      if (streamInFlight[i]! >= plan.perSender) {
        idle++;
        continue;
      }
      const tx = s.next();
      if (tx === undefined) {
        exhausted ||= performance.now() < countTo;
        idle++;
        continue;
      }
      idle = 0;
      streamInFlight[i]!++;
      out.push({ tx, stream: i });
    }
    return out;
  };

  const send = async (n: number): Promise<void> => {
    while (submitting && failure === undefined) {
      const batch = take(n);
      if (batch.length === 0) {
        await sleep(5);
        continue;
      }
      const sentAt = performance.now();
      for (const { tx, stream } of batch) inFlight.set(toHex(tx.hash), { sentAt, readings: plan.streams[stream]!.readingsPerTx, stream });
      nodeInFlight[n]! += batch.length;
      const results = await plan.clients[n]!.submitBatch(batch.map((b) => b.tx));
      results.forEach((res, k) => {
        if ("error" in res) throw new Error(`transaction refused by node ${n}: ${res.error.code} ${res.error.message}`);
        const failed = res.readings?.filter((x) => x.status !== "ok").length ?? 0;
        if (failed > 0) {
          r.refusedReadings += failed;
          const hash = toHex(batch[k]!.tx.hash);
          const entry = inFlight.get(hash);
          if (entry !== undefined) inFlight.set(hash, { ...entry, readings: entry.readings - failed });
        }
      });
    }
  };

  const follow = async (): Promise<void> => {
    let height = (await plan.follow.status()).finalizedHeight;
    let progressAt = performance.now();
    while (failure === undefined && (submitting || inFlight.size > 0)) {
      const final = (await plan.follow.status()).finalizedHeight;
      for (; height < final; ) {
        const block = await plan.follow.block(height + 1);
        height++;
        const seenAt = performance.now();
        const counted = seenAt >= countFrom && seenAt <= countTo;
        if (counted) {
          r.blocks++;
          r.blockTxs += block.txCount;
          // The nodes and this process share the machine's clock.
          r.proposalToFinal.push(Date.now() - block.header.timestamp);
          if (lastTimestamp !== undefined) r.blockIntervals.push(block.header.timestamp - lastTimestamp);
        }
        lastTimestamp = block.header.timestamp;
        for (const hash of block.txHashes ?? []) {
          const entry = inFlight.get(hash);
          if (entry === undefined) continue;
          inFlight.delete(hash);
          streamInFlight[entry.stream]!--;
          nodeInFlight[plan.streams[entry.stream]!.node]!--;
          progressAt = seenAt;
          if (counted) {
            r.readings += entry.readings;
            r.txs++;
            r.latencies.push(seenAt - entry.sentAt);
          }
        }
      }
      if (inFlight.size > 0 && performance.now() - progressAt > 30_000) throw new Error(`no transaction finalized for 30 s; ${inFlight.size} in flight, finalized height ${height}`);
      if (!submitting && performance.now() > countTo + plan.drainMs) return;
      await sleep(plan.pollMs ?? 100);
    }
  };

  const guard = (task: Promise<void>): Promise<void> =>
    task.catch((err: unknown) => {
      failure ??= err;
    });
  const clock = (async () => {
    while (failure === undefined && performance.now() < countTo) await sleep(50);
    submitting = false;
  })();
  await Promise.all([clock, guard(follow()), ...plan.clients.map((_, n) => guard(send(n)))]);
  if (failure !== undefined) throw failure;
  return { ...r, ms: plan.measureMs, exhausted, undrained: inFlight.size };
}
