import type { FindingInfo, JsonValue, ReadingOutcome, ReceiptInfo } from "./types.js";

/** The receipt event every executed reading emits (one per reading of a batch, in order). */
export const READING_EVENT = "reading";

const num = (v: JsonValue | undefined): number => (typeof v === "number" ? v : Number(v));
const str = (v: JsonValue | undefined): string => (typeof v === "string" ? v : "");
const list = (v: JsonValue | undefined): JsonValue[] => (Array.isArray(v) ? v : []);

function finding(item: JsonValue): FindingInfo {
  const [code, metric, value, bound] = list(item);
  return { code: str(code), metric: str(metric), value: num(value), bound: num(bound) };
}

/**
 * What block execution made of each reading of a `readings.submit` or `readings.batch`
 * transaction, read from its receipt's `reading` events: accepted or failed with a code, and
 * the findings that flagged it. Empty for other receipts.
 */
export function readingOutcomes(receipt: ReceiptInfo): ReadingOutcome[] {
  return receipt.events
    .filter((e) => e.type === READING_EVENT)
    .map((e) => {
      const a = new Map(e.attributes.map(({ key, value }) => [key, value]));
      return {
        device: str(a.get("device")),
        seq: num(a.get("seq")),
        ts: num(a.get("ts")),
        status: a.get("status") === "ok" ? "ok" : "failed",
        code: str(a.get("code")),
        profile: str(a.get("profile")),
        version: num(a.get("version")),
        values: list(a.get("values")).map((pair) => {
          const [name, value] = list(pair);
          return [str(name), num(value)] as const;
        }),
        findings: list(a.get("findings")).map(finding),
      };
    });
}
