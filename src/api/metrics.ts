import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";
import { ReadingFinding } from "../contracts/modules/readings/findings.js";
import type { PipelineObserver } from "../inspect/pipeline.js";
import type { InspectStage, Verdict } from "../inspect/verdict.js";
import type { NodeService } from "../node/types.js";
import { codeLabel } from "./apiErrors.js";

const METHODS = new Set(["GET", "POST", "HEAD"]);
const FINDINGS = new Set<string>(Object.values(ReadingFinding));
/** The code label of a verdict that is not a rejection. */
const NO_CODE = "NONE";

/**
 * The API's Prometheus metrics, in a Registry of their own (never prom-client's global one, so
 * two servers in one process, as in tests, do not collide). Labels take values from closed
 * sets only: route templates, methods, status codes, error codes.
 */
export class ApiMetrics {
  readonly registry = new Registry();
  private readonly requests: Counter<"route" | "method" | "status">;
  private readonly duration: Histogram<"route">;
  private readonly errors: Counter<"code">;
  private readonly verdicts: Counter<"verdict" | "code">;
  private readonly findings: Counter<"code">;
  private readonly stages: Histogram<"stage">;
  private readonly unobserve: () => void;

  constructor(node: Pick<NodeService, "status" | "observeInspection" | "verifyPoolLoad">) {
    const registers = [this.registry];
    this.requests = new Counter({
      name: "attesta_http_requests_total",
      help: "HTTP requests by route template, method and status",
      labelNames: ["route", "method", "status"],
      registers,
    });
    this.duration = new Histogram({
      name: "attesta_http_request_duration_seconds",
      help: "HTTP request duration by route template",
      labelNames: ["route"],
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
      registers,
    });
    this.errors = new Counter({
      name: "attesta_api_errors_total",
      help: "Errors answered by the API, by code (batch items included)",
      labelNames: ["code"],
      registers,
    });
    const gauge = (name: string, help: string, read: () => number): void => {
      new Gauge({
        name,
        help,
        registers,
        collect() {
          this.set(read());
        },
      });
    };
    gauge("attesta_chain_height", "Height of the head block", () => node.status().height);
    gauge("attesta_chain_finalized_height", "Height of the last finalized block", () => node.status().finalizedHeight);
    gauge("attesta_mempool_txs", "Transactions in the mempool", () => node.status().mempool.count);
    gauge("attesta_mempool_bytes", "Bytes of transactions in the mempool", () => node.status().mempool.bytes);
    // Parts of the status a node may not have (0 then): consensus, network, sync.
    type Status = ReturnType<typeof node.status>;
    const part =
      <K extends "consensus" | "network" | "sync">(key: K) =>
      (read: (value: NonNullable<Status[K]>) => number) =>
      (): number => {
        const value = node.status()[key];
        return value === undefined ? 0 : read(value as NonNullable<Status[K]>);
      };
    // Consensus (validators, and full nodes following on the network).
    const consensus = part("consensus");
    gauge("attesta_consensus_round", "Round of the height being decided", consensus((c) => c.round));
    gauge("attesta_consensus_rounds_total", "Rounds above 0 started since the node started", consensus((c) => c.rounds));
    gauge("attesta_consensus_invalid_messages_total", "Consensus messages dropped: undecodable, unknown signer, bad signature, wrong proposer", consensus((c) => c.invalidMessages));
    gauge("attesta_consensus_refused_signatures_total", "Statements not signed: they conflicted with one signed before, or the sign state could not be written", consensus((c) => c.refusedSignatures));
    gauge("attesta_consensus_evidence_total", "Equivocations seen (evidence put on chain)", consensus((c) => c.evidence));

    // The peer-to-peer network and sync (0 with --no-p2p).
    const network = part("network");
    gauge("attesta_p2p_peers", "Connected peers", network((n) => n.peers));
    gauge("attesta_p2p_banned_peers", "Peers refused now for sending invalid data", network((n) => n.banned));
    gauge("attesta_p2p_peer_faults_total", "Faults counted against peers: invalid gossip, malformed, oversized or excess requests", network((n) => n.faults));
    for (const result of ["accept", "ignore", "reject"] as const) {
      gauge(`attesta_p2p_gossip_${result}_total`, `Gossip messages received that validation judged '${result}'`, network((n) => n.gossip[result]));
    }
    const sync = part("sync");
    gauge("attesta_sync_syncing", "1 while the node catches up by range sync", sync((s) => (s.syncing ? 1 : 0)));
    gauge("attesta_sync_target_height", "Best finalized height connected peers report", sync((s) => s.target));
    gauge("attesta_sync_imported_blocks_total", "Blocks imported by range sync since start", sync((s) => s.imported));

    // The inspection pipeline: verdicts by kind and code, findings of flagged readings, time per stage.
    this.verdicts = new Counter({
      name: "attesta_inspect_verdicts_total",
      help: `Admission verdicts by kind (accept, flag, reject) and rejection code (${NO_CODE} unless rejected)`,
      labelNames: ["verdict", "code"],
      registers,
    });
    this.findings = new Counter({
      name: "attesta_inspect_findings_total",
      help: "Findings of the readings admitted as flagged, by finding code",
      labelNames: ["code"],
      registers,
    });
    this.stages = new Histogram({
      name: "attesta_inspect_stage_seconds",
      help: "Time per transaction in each admission stage (stateless, signature, stateful, dry_run), averaged over each submitted batch",
      labelNames: ["stage"],
      buckets: [0.00001, 0.00005, 0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1],
      registers,
    });
    const observer: PipelineObserver = {
      stage: (stage, seconds, txs) => this.observeStage(stage, seconds, txs),
      verdict: (verdict) => this.countVerdict(verdict),
    };
    this.unobserve = node.observeInspection?.(observer) ?? (() => undefined);
    if (node.verifyPoolLoad !== undefined) {
      const load = node.verifyPoolLoad.bind(node);
      gauge("attesta_verify_pool_workers", "Worker threads of the signature verification pool (0: verified inline)", () => load().workers);
      gauge("attesta_verify_pool_in_flight", "Signatures posted to the verification pool and not yet answered", () => load().inFlight);
      gauge("attesta_verify_pool_utilisation", "Signatures in flight per worker thread (0 when the pool has none)", () => {
        const { inFlight, workers } = load();
        return workers === 0 ? 0 : inFlight / workers;
      });
    }
    // Process metrics (RSS, heap, event-loop lag): what an operator watches on a Pi.
    collectDefaultMetrics({ register: this.registry });
  }

  observeRequest(route: string, method: string, status: number, seconds: number): void {
    this.requests.inc({ route, method: METHODS.has(method) ? method : "OTHER", status: String(status) });
    this.duration.observe({ route }, seconds);
  }

  /** Stops observing the node's pipeline (the server calls it when it closes). */
  close(): void {
    this.unobserve();
  }

  private observeStage(stage: InspectStage, seconds: number, txs: number): void {
    if (txs > 0) this.stages.observe({ stage }, seconds / txs);
  }

  private countVerdict(v: Verdict): void {
    this.verdicts.inc({ verdict: v.kind, code: v.kind === "reject" ? codeLabel(v.code) : NO_CODE });
    if (v.kind === "flag") for (const f of v.findings) this.findings.inc({ code: FINDINGS.has(f.code) ? f.code : "OTHER" });
  }

  countError(code: string): void {
    this.errors.inc({ code: codeLabel(code) });
  }

  async render(): Promise<{ contentType: string; text: string }> {
    return { contentType: this.registry.contentType, text: await this.registry.metrics() };
  }
}
