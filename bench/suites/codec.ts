import { decode, encode } from "../../src/ledger/codec.js";
import { decodeHeader, encodeHeader, headerTuple } from "../../src/ledger/header.js";
import { decodeTransaction } from "../../src/ledger/transaction.js";
import { makeHeaderWithCommit, makeTransfer, makeValidators } from "../../test/fixtures/builders.js";
import { formatTable, rate, type BenchRow } from "../lib.js";

// The canonical codec on the admission and import hot paths: a signed `accounts.transfer`
// and a header carrying the commit of 4 validators. Decoding re-encodes to check canonicity.

export async function run(): Promise<BenchRow[]> {
  const tx = makeTransfer();
  const txTuple = decode(tx.bytes);
  const header = makeHeaderWithCommit(makeValidators(4));
  const headerBytes = encodeHeader(header);
  const tuple = headerTuple(header);
  const txNote = `accounts.transfer, secp256k1, ${tx.bytes.length} B`;
  const headerNote = `4-signature parent commit, ${headerBytes.length} B`;

  return [
    { name: "tx encode (its tuple)", value: rate(() => void encode(txTuple)), unit: "ops/s", note: txNote },
    { name: "tx decode (canonical check only)", value: rate(() => void decode(tx.bytes)), unit: "ops/s", note: txNote },
    { name: "tx decodeTransaction", value: rate(() => void decodeTransaction(tx.bytes)), unit: "ops/s", note: "decode, fields, hash, sender, payload" },
    { name: "header encode", value: rate(() => void encode(tuple)), unit: "ops/s", note: headerNote },
    { name: "header encodeHeader", value: rate(() => void encodeHeader(header)), unit: "ops/s", note: "tuple built from the object" },
    { name: "header decodeHeader", value: rate(() => void decodeHeader(headerBytes)), unit: "ops/s", note: headerNote },
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(formatTable(await run()));
