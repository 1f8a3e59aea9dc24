// End to end through the HTTP API: a node started from the built CLI in its own process, fed
// pre-signed transfers in batches by this process, timed from the first submission until
// every transfer is committed. Also the node's RSS idle and under that load, and the
// verification rate of the secp256k1 backend in use, measured in the same run for the ratio.
import "../../src/polyfill.js";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { AttestaClient, buildTransaction, generateKeyPair, toHex, transferArgs, type KeyPair } from "../../src/client/index.js";
import { writeKeyFile } from "../../src/crypto/keyFile.js";
import { signedPayload, signPayload, utf8, verifySignature, activeSecp256k1Backend } from "../../src/crypto/index.js";
import { genesisToJson } from "../../src/contracts/genesis.js";
import { validator } from "../../src/contracts/modules/validators.js";
import { defaultChainParams } from "../../src/contracts/params.js";
import type { SignedTransaction } from "../../src/ledger/transaction.js";
import { buildCli, spawnCli } from "../../test/fixtures/cli.js";
import { freePort, removeDir, tempDir, waitFor } from "../../test/fixtures/node.js";
import { formatTable, median, rate, type BenchRow } from "../lib.js";

const SENDERS = Number(process.env.BENCH_SENDERS ?? 3_000);
const PER_SENDER = Number(process.env.BENCH_PER_SENDER ?? 10);
const BATCH = 500;
const IN_FLIGHT = 4;

async function rssMb(pid: number, field: "VmRSS" | "VmHWM"): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  const kb = Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? NaN);
  return kb / 1024;
}

/** RSS of a fresh `attesta start --dev` node left idle for 5 s: the median of three starts. */
async function idleDevRss(): Promise<BenchRow> {
  const samples: number[] = [];
  for (let i = 0; i < 3; i++) {
    const dir = await tempDir("attesta-bench-idle-");
    const port = await freePort();
    const proc = spawnCli(["start", "--dev", "--no-p2p", "--data-dir", dir, "--api-port", String(port), "--log-level", "warn"]);
    try {
      const client = new AttestaClient({ url: `http://127.0.0.1:${port}` });
      await waitFor(() => client.status(), 30_000, 100);
      await new Promise((resolve) => setTimeout(resolve, 5_000));
      samples.push(await rssMb(proc.child.pid!, "VmRSS"));
    } finally {
      proc.child.kill("SIGTERM");
      await proc.exited;
      await removeDir(dir);
    }
  }
  return { name: "node RSS, idle (start --dev)", value: median(samples), unit: "MB", note: `median of 3 starts, 5 s after start; goal <= 100` };
}

export async function run(): Promise<BenchRow[]> {
  await buildCli();
  const idle = await idleDevRss();
  const dir = await tempDir("attesta-bench-e2e-");
  const validatorKey = generateKeyPair();
  const senders: KeyPair[] = Array.from({ length: SENDERS }, () => generateKeyPair());
  const chainId = "attesta-bench";
  const genesis = {
    chainId,
    timestamp: Date.now(),
    validators: [validator(validatorKey.publicKey)],
    accounts: senders.map((k) => ({ address: k.address, balance: 1_000_000_000n, roles: [] })),
    params: { ...defaultChainParams, maxBlockTxs: 20_000 },
  };
  await writeFile(join(dir, "genesis.json"), JSON.stringify(genesisToJson(genesis)));
  await writeKeyFile(join(dir, "node.key"), validatorKey);

  // Pre-sign, nonce-major so every sender's nonces arrive in order.
  const recipient = generateKeyPair().address;
  const txs: SignedTransaction[] = [];
  for (let nonce = 0; nonce < PER_SENDER; nonce++) {
    for (const key of senders) {
      txs.push(buildTransaction({ chainId, kind: "accounts.transfer", args: transferArgs(recipient, 1n), key, nonce, feePerByte: genesis.params.feePerByte }));
    }
  }

  const port = await freePort();
  const proc = spawnCli(["start", "--no-p2p", "--data-dir", dir, "--api-port", String(port), "--log-level", "warn"]);
  const client = new AttestaClient({ url: `http://127.0.0.1:${port}`, timeoutMs: 60_000 });
  try {
    await waitFor(() => client.status(), 30_000, 100);
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    const idleRss = await rssMb(proc.child.pid!, "VmRSS");

    // Request bodies are prepared before the clock starts: the load generator shares this
    // machine's two cores with the node and should spend as little of them as it can.
    const bodies: string[] = [];
    for (let i = 0; i < txs.length; i += BATCH) bodies.push(JSON.stringify({ txs: txs.slice(i, i + BATCH).map((tx) => toHex(tx.bytes)) }));
    const url = `http://127.0.0.1:${port}/v1/txs`;
    let refused = 0;
    let next = 0;
    const start = performance.now();
    await Promise.all(
      Array.from({ length: IN_FLIGHT }, async () => {
        while (next < bodies.length) {
          const body = bodies[next++]!;
          const answer = (await (await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body })).json()) as { results: object[] };
          for (const r of answer.results) if ("error" in r) refused++;
        }
      }),
    );
    const submitted = performance.now();
    const last = toHex(txs[txs.length - 1]!.hash);
    await waitFor(async () => {
      const s = await client.status();
      return s.mempool.count === 0 && (await client.txStatus(last)).status === "final" ? true : undefined;
    }, 300_000, 20);
    const elapsed = performance.now() - start;
    const peakRss = await rssMb(proc.child.pid!, "VmHWM");
    if (refused > 0) throw new Error(`${refused} transfers refused`);

    // The verification rate of the backend in use, in this process, for the ratio.
    const key = generateKeyPair();
    const payloads = Array.from({ length: 256 }, (_, i) => signedPayload(utf8(`payload ${i}`)));
    const sigs = payloads.map((p) => signPayload("secp256k1", key.secretKey, p));
    let i = 0;
    const verifyRate = rate(() => {
      const k = i++ % payloads.length;
      verifySignature("secp256k1", key.publicKey, sigs[k]!, payloads[k]!);
    });
    const e2eRate = (txs.length * 1000) / elapsed;
    return [
      { name: `end-to-end transfers committed via HTTP API`, value: e2eRate, unit: "tx/s", note: `${txs.length} pre-signed, batches of ${BATCH}, ${IN_FLIGHT} in flight; submit ${(submitted - start).toFixed(0)} ms, total ${elapsed.toFixed(0)} ms` },
      { name: `secp256k1 verify (${activeSecp256k1Backend()}), same run`, value: verifyRate, unit: "ops/s", note: `end-to-end = ${((e2eRate / verifyRate) * 100).toFixed(0)}% of it` },
      { name: `node RSS, idle, ${SENDERS}-account genesis`, value: idleRss, unit: "MB", note: "5 s after start" },
      idle,
      { name: "node RSS, peak under the load above", value: peakRss, unit: "MB" },
    ];
  } finally {
    proc.child.kill("SIGTERM");
    await proc.exited;
    await removeDir(dir);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(formatTable(await run()));
