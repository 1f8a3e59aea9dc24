import { isAttestaError, AttestaError } from "../errors.js";
import type { Encodable } from "../ledger/codec.js";
import type { ChainEvent, Receipt } from "../ledger/receipt.js";
import { READING_EVENT, type Finding, type ReadingFinding } from "../contracts/modules/readings/findings.js";

/**
 * Where the pipeline decided: the three stages in order (cheapest first), then the mempool.
 * A closed set: it labels metrics.
 */
export const InspectStage = {
  STATELESS: "stateless",
  SIGNATURE: "signature",
  STATEFUL: "stateful",
  DRY_RUN: "dry_run",
  MEMPOOL: "mempool",
} as const;
export type InspectStage = (typeof InspectStage)[keyof typeof InspectStage];

/** One reading of a `readings.submit` or `readings.batch`, as the dry run (or execution) left it. */
export interface ReadingVerdict {
  readonly deviceId: string;
  readonly seq: number;
  /** "" when the reading is accepted, else why it is rejected (a TxErrorCode or ReadingRejection). */
  readonly code: string;
  /** Soft findings of an accepted reading (it is flagged when there are any). */
  readonly findings: readonly Finding[];
}

/**
 * What inspection makes of a transaction. `reject`: never enters the mempool (`code`, and the
 * error with its details); `flag`: admitted, its readings' findings recorded as anomalies at
 * execution; `accept`: admitted. `readings` lists each reading's outcome for readings methods.
 */
export type Verdict =
  | { readonly kind: "accept"; readonly readings?: readonly ReadingVerdict[] }
  | { readonly kind: "flag"; readonly findings: readonly Finding[]; readonly readings?: readonly ReadingVerdict[] }
  | {
      readonly kind: "reject";
      readonly code: string;
      readonly error: AttestaError;
      readonly stage: InspectStage;
      readonly readings?: readonly ReadingVerdict[];
    };

export type VerdictKind = Verdict["kind"];
export type Rejection = Extract<Verdict, { kind: "reject" }>;

export const ACCEPT: Verdict = { kind: "accept" };

/** A rejection from a coded error; anything else is a bug and is rethrown. */
export function rejection(err: unknown, stage: InspectStage): Rejection {
  if (!isAttestaError(err)) throw err;
  return { kind: "reject", code: err.code, error: err, stage };
}

function attribute(event: ChainEvent, name: string): Encodable | undefined {
  for (const [k, v] of event.attributes) if (k === name) return v;
  return undefined;
}

/** A `reading` event's outcome (see READING_EVENT for its attributes). */
export function readingVerdictOf(event: ChainEvent): ReadingVerdict {
  const findings = (attribute(event, "findings") as readonly Encodable[] | undefined) ?? [];
  return {
    deviceId: attribute(event, "device") as string,
    seq: attribute(event, "seq") as number,
    code: attribute(event, "code") as string,
    findings: findings.map((f) => {
      const [code, metric, value, bound] = f as [ReadingFinding, string, number, number];
      return { code, metric, value, bound };
    }),
  };
}

/**
 * The verdict a receipt stands for; admission's dry run and block execution produce receipts
 * with the same code, so this one mapping makes their verdicts comparable. A failed receipt
 * rejects with its code; readings whose every one failed reject with the first one's code
 * (every outcome listed); an accepted reading with findings flags; else accept.
 */
export function verdictOfReceipt(receipt: Receipt, stage: InspectStage = InspectStage.DRY_RUN): Verdict {
  if (receipt.status === "failed") return rejection(new AttestaError(receipt.code, "transaction fails at execution"), stage);
  let readings: ReadingVerdict[] | undefined;
  for (const event of receipt.events) if (event.type === READING_EVENT) (readings ??= []).push(readingVerdictOf(event));
  if (readings === undefined) return ACCEPT;
  return verdictOfReadings(readings, stage);
}

/** The verdict of a transaction's readings (see verdictOfReceipt). */
export function verdictOfReadings(readings: readonly ReadingVerdict[], stage: InspectStage = InspectStage.DRY_RUN): Verdict {
  const findings: Finding[] = [];
  let accepted = 0;
  for (const r of readings) {
    if (r.code !== "") continue;
    accepted++;
    for (const f of r.findings) findings.push(f);
  }
  if (accepted === 0) {
    const first = readings[0];
    const code = first?.code ?? "";
    const details = { readings: readings.map((r) => ({ deviceId: r.deviceId, seq: r.seq, code: r.code })) };
    return { kind: "reject", code, error: new AttestaError(code, "every reading is rejected", details), stage, readings };
  }
  return findings.length > 0 ? { kind: "flag", findings, readings } : { kind: "accept", readings };
}
