import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toHex } from "../../../src/crypto/bytes.js";
import { generateKeyPair } from "../../../src/crypto/keys.js";
import { http, startTestNode, type TestNode } from "../../fixtures/node.js";

// The JSON views of each endpoint, and the metrics, against a real dev node.

const HEX = /^0x([0-9a-f]{2})*$/;
const DECIMAL = /^\d+$/;
let t: TestNode;
let txHash: string;
const recipient = generateKeyPair().address;

beforeAll(async () => {
  t = await startTestNode();
  const { hash } = await t.client.transfer(t.devKey, recipient, 1234n, { wait: "final" });
  txHash = hash;
});
afterAll(async () => {
  await t?.stop();
});

describe("GET /v1/status", () => {
  it("shows the chain with bigints as strings and bytes as hex", async () => {
    const { status, body } = await http(`${t.url}/v1/status`);
    expect(status).toBe(200);
    expect(body).toMatchObject({ chainId: expect.any(String), height: expect.any(Number), finalizedHeight: expect.any(Number), mode: "validator" });
    expect(body.genesisHash).toMatch(HEX);
    expect(body.headHash).toMatch(HEX);
    expect(body.params.feePerByte).toMatch(DECIMAL);
    expect(body.validators.every((v: string) => HEX.test(v))).toBe(true);
    expect(body.mempool).toEqual({ count: expect.any(Number), bytes: expect.any(Number) });
    // A lone validator decides every block itself, at round 0, deciding the height after the head.
    expect(body.consensus).toEqual({ height: body.height + 1, round: 0, rounds: 0, invalidMessages: 0, refusedSignatures: 0, evidence: 0 });
  });

  it("reports consensus in /metrics", async () => {
    const { body } = await http(`${t.url}/metrics`);
    expect(body).toMatch(/^attesta_consensus_round 0$/m);
    expect(body).toMatch(/^attesta_consensus_refused_signatures_total 0$/m);
  });
});

describe("GET /v1/blocks/:id", () => {
  it("finds a block by height, hash and latest, with header and commit", async () => {
    const tx = await http(`${t.url}/v1/txs/${txHash}`);
    expect(tx.body).toMatchObject({ hash: txHash, status: "final", height: expect.any(Number), index: 0 });
    expect(tx.body.receipt).toMatchObject({ status: "ok", code: "" });
    expect(tx.body.receipt.fee).toMatch(DECIMAL);

    const byHeight = await http(`${t.url}/v1/blocks/${tx.body.height}`);
    expect(byHeight.status).toBe(200);
    expect(byHeight.body).toMatchObject({ height: tx.body.height, txCount: 1, txHashes: [txHash] });
    expect(byHeight.body.header).toMatchObject({ height: tx.body.height, chainId: expect.any(String) });
    expect(byHeight.body.header.stateRoot).toMatch(HEX);
    const byHash = await http(`${t.url}/v1/blocks/${byHeight.body.hash}`);
    expect(byHash.body).toEqual(byHeight.body);
    const latest = await http(`${t.url}/v1/blocks/latest`);
    expect(latest.body.height).toBeGreaterThanOrEqual(tx.body.height);
    const genesis = await http(`${t.url}/v1/blocks/0`);
    expect(genesis.body).toMatchObject({ height: 0, txCount: 0 });
  });

  it("includes decoded transactions with receipts with ?txs=1", async () => {
    const { body: status } = await http(`${t.url}/v1/txs/${txHash}`);
    const { body } = await http(`${t.url}/v1/blocks/${status.height}?txs=1`);
    expect(body.txHashes).toBeUndefined();
    expect(body.txs).toHaveLength(1);
    const tx = body.txs[0];
    expect(tx).toMatchObject({
      hash: txHash,
      sender: toHex(t.devKey.address),
      kind: "accounts.transfer",
      keyType: "secp256k1",
      publicKey: toHex(t.devKey.publicKey),
      expiry: 0,
      args: [toHex(recipient), "1234"],
      receipt: { status: "ok" },
    });
    expect(tx.fee).toMatch(DECIMAL);
    expect(tx.signature).toMatch(HEX);
  });
});

describe("GET /v1/accounts/:address", () => {
  it("shows balance as a string, both nonces, roles and counters", async () => {
    const none = { roles: [], counters: { txs: 0, readings: 0, anomalies: 0, feesPaid: "0" } };
    const { body } = await http(`${t.url}/v1/accounts/${toHex(recipient)}`);
    expect(body).toEqual({ address: toHex(recipient), balance: "1234", nonce: 0, pendingNonce: 0, ...none });
    const unknown = toHex(generateKeyPair().address);
    expect((await http(`${t.url}/v1/accounts/${unknown}`)).body).toEqual({ address: unknown, balance: "0", nonce: 0, pendingNonce: 0, ...none });
  });
});

describe("GET /metrics", () => {
  it("serves Prometheus text with route templates, error codes and chain gauges, never ids", async () => {
    await http(`${t.url}/v1/txs/0x${"ee".repeat(32)}`); // a 404 to count
    const { status, body, headers } = await http(`${t.url}/metrics`);
    expect(status).toBe(200);
    expect(headers.get("content-type")).toContain("text/plain");
    const text = body as string;
    expect(text).toMatch(/attesta_http_requests_total\{route="\/v1\/txs\/:hash",method="GET",status="404"\} \d+/);
    expect(text).toMatch(/attesta_api_errors_total\{code="NOT_FOUND"\} \d+/);
    expect(text).toMatch(/attesta_chain_height \d+/);
    expect(text).toMatch(/attesta_chain_finalized_height \d+/);
    expect(text).toMatch(/attesta_mempool_txs \d+/);
    expect(text).toMatch(/attesta_mempool_bytes \d+/);
    expect(text).not.toContain(txHash);
    expect(text).not.toContain("ee".repeat(32));
  });
});
