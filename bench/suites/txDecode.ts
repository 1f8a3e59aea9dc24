import { generateKeyPair } from "../../src/crypto/keys.js";
import { decode } from "../../src/ledger/codec.js";
import { decodeTransaction, decodeTransactionGeneric, type SignedTransaction } from "../../src/ledger/transaction.js";
import { decodeTransactionFast } from "../../src/ledger/txDecode.js";
import { makeGenesis, makeTransfer, makeTx } from "../../test/fixtures/chain.js";
import { readingTuple, SUBMIT_KIND, syntheticReading } from "../../test/fixtures/readings.js";
import { formatTable, median, type BenchRow } from "../lib.js";

// decodeTransaction (its fast path for the common canonical forms) against the generic path
// alone (msgpackr's unpack and re-encoding check), on the same pre-built transactions in one
// process: secp256k1 transfers, and readings.submit signed by P-256 and Ed25519 devices as in
// the admission bench. The runs of both alternate, so a neighbour's load hits both alike. The
// parse rows time the two parsers alone: both paths then hash and copy alike (see derive).

const RUNS = 5;
const TXS = Number(process.env.BENCH_TXDECODE_TXS ?? 1_000);
const SIGNERS = 50;
const MS = 300;

function transfers(): SignedTransaction[] {
  const { genesis, accounts } = makeGenesis({ accounts: SIGNERS });
  const to = generateKeyPair().address;
  return Array.from({ length: TXS }, (_, i) => makeTransfer(genesis, accounts[i % SIGNERS]!, to, BigInt(1 + i), { nonce: Math.floor(i / SIGNERS), fee: 10_000n }));
}

function readings(type: "p256" | "ed25519"): SignedTransaction[] {
  const { genesis } = makeGenesis({ accounts: 0 });
  const devices = Array.from({ length: SIGNERS }, (_, i) => ({ id: `${type}-${i}`, key: generateKeyPair(type) }));
  return Array.from({ length: TXS }, (_, n) => {
    const i = n % SIGNERS;
    const seq = Math.floor(n / SIGNERS) + 1;
    return makeTx(genesis, devices[i]!.key, SUBMIT_KIND, readingTuple(syntheticReading(devices[i]!.id, i, seq)), { nonce: seq - 1, fee: 10_000n });
  });
}

/** Microseconds per transaction of one pass of `decode` over `all`, repeated for about MS ms. */
function usPerTx(all: readonly Uint8Array[], decode: (bytes: Uint8Array) => unknown): number {
  let passes = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < MS) {
    for (const bytes of all) decode(bytes);
    passes++;
    elapsed = performance.now() - start;
  }
  return (elapsed * 1000) / (passes * all.length);
}

function compare(name: string, txs: readonly SignedTransaction[]): BenchRow[] {
  const all = txs.map((t) => t.bytes);
  for (let i = 0; i < 3; i++) {
    // Warm-up of both.
    for (const bytes of all) {
      decodeTransaction(bytes);
      decodeTransactionGeneric(bytes);
    }
  }
  const fast: number[] = [];
  const generic: number[] = [];
  const fastParse: number[] = [];
  const genericParse: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    fast.push(usPerTx(all, decodeTransaction));
    generic.push(usPerTx(all, decodeTransactionGeneric));
    fastParse.push(usPerTx(all, decodeTransactionFast));
    genericParse.push(usPerTx(all, decode));
  }
  const size = Math.round(all.reduce((s, b) => s + b.length, 0) / all.length);
  const note = `${all.length} txs, ~${size} B, median of ${RUNS}`;
  const [f, g] = [median(fast), median(generic)];
  return [
    { name: `${name} decodeTransaction`, value: f, unit: "µs/tx", note },
    { name: `${name} generic (decode + TupleReader)`, value: g, unit: "µs/tx", note },
    { name: `${name} generic / decodeTransaction`, value: g / f, unit: "×", note: `per-run ratios ${fast.map((x, i) => ((generic[i] as number) / x).toFixed(2)).join(" ")}` },
    // The parse alone, without what both paths share (three SHA-256, the unsigned message's copy).
    { name: `${name} parse: decodeTransactionFast`, value: median(fastParse), unit: "µs/tx", note: "fields only" },
    { name: `${name} parse: decode (canonical check)`, value: median(genericParse), unit: "µs/tx", note: "without the TupleReader" },
  ];
}

export async function run(): Promise<BenchRow[]> {
  return [...compare("transfer secp256k1", transfers()), ...compare("readings.submit p256", readings("p256")), ...compare("readings.submit ed25519", readings("ed25519"))];
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(formatTable(await run()));
