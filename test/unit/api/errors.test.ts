import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { request } from "node:http";
import { startApiServer, type ApiServer } from "../../../src/api/server.js";
import { AttestaClient } from "../../../src/client/client.js";
import { buildTransaction, transferArgs, TRANSFER_KIND } from "../../../src/client/buildTransaction.js";
import { toHex } from "../../../src/crypto/bytes.js";
import { generateKeyPair } from "../../../src/crypto/keys.js";
import type { SignedTransaction } from "../../../src/ledger/transaction.js";
import { http, silentLogger, startTestNode, type TestNode } from "../../fixtures/node.js";

// The API's error mapping, pinned through real HTTP requests against a real dev node.

const MAX_BODY = 64 * 1024;
let t: TestNode;
let chainId: string;
let feePerByte: bigint;

beforeAll(async () => {
  t = await startTestNode({ maxBodyBytes: MAX_BODY });
  ({ chainId, feePerByte } = await t.client.chainParams());
});
afterAll(async () => {
  await t?.stop();
});

function transfer(nonce: number, overrides: { chainId?: string; fee?: bigint; amount?: bigint } = {}): SignedTransaction {
  return buildTransaction({
    chainId: overrides.chainId ?? chainId,
    kind: TRANSFER_KIND,
    args: transferArgs(generateKeyPair().address, overrides.amount ?? 1n),
    key: t.devKey,
    nonce,
    feePerByte,
    ...(overrides.fee !== undefined ? { fee: overrides.fee } : {}),
  });
}

const postTx = (tx: Uint8Array) => http(`${t.url}/v1/txs`, { json: { tx: toHex(tx) } });
const postRaw = (bytes: Uint8Array) => http(`${t.url}/v1/txs`, { body: bytes, contentType: "application/msgpack" });

async function expectError(answer: Promise<{ status: number; body: { error?: { code: string; details: unknown } } }>, status: number, code: string) {
  const { status: got, body } = await answer;
  expect({ status: got, code: body.error?.code }).toEqual({ status, code });
  expect(typeof body.error?.details).toBe("object");
  // ...and the node keeps serving.
  expect((await http(`${t.url}/v1/status`)).status).toBe(200);
}

async function nextNonce(): Promise<number> {
  return (await t.client.account(t.devKey.address)).pendingNonce;
}

describe("POST /v1/txs errors", () => {
  it("answers BAD_REQUEST (400) to malformed JSON", async () => {
    await expectError(http(`${t.url}/v1/txs`, { body: "{ not json", contentType: "application/json" }), 400, "BAD_REQUEST");
  });

  it("answers BAD_REQUEST (400) to a tx that is not hex", async () => {
    await expectError(http(`${t.url}/v1/txs`, { json: { tx: "0xzz" } }), 400, "BAD_REQUEST");
  });

  it("answers BAD_REQUEST (400) to a body of neither form", async () => {
    await expectError(http(`${t.url}/v1/txs`, { json: { transaction: "0x00" } }), 400, "BAD_REQUEST");
  });

  it("answers UNSUPPORTED_MEDIA_TYPE (415) to a form body", async () => {
    await expectError(http(`${t.url}/v1/txs`, { body: "tx=0x00", contentType: "application/x-www-form-urlencoded" }), 415, "UNSUPPORTED_MEDIA_TYPE");
  });

  it("answers MALFORMED (400) to garbage bytes", async () => {
    await expectError(postRaw(Uint8Array.of(0xc1, 0xff, 0x00, 0x13)), 400, "MALFORMED");
    await expectError(postTx(Uint8Array.of(0x93, 0x01, 0x02, 0x03)), 400, "MALFORMED");
  });

  it("answers NON_CANONICAL (400) to a valid tx re-encoded with a longer array header", async () => {
    const tx = transfer(await nextNonce());
    expect(tx.bytes[0]).toBe(0x99); // fixarray of 9
    const longer = new Uint8Array(tx.bytes.length + 2);
    longer.set([0xdc, 0x00, 0x09]); // array16 of 9: same value, another encoding
    longer.set(tx.bytes.subarray(1), 3);
    await expectError(postRaw(longer), 400, "NON_CANONICAL");
  });

  it("answers BAD_SIGNATURE (400) to a tampered signature", async () => {
    const bytes = Uint8Array.from(transfer(await nextNonce()).bytes);
    bytes[bytes.length - 1] = (bytes[bytes.length - 1] as number) ^ 1;
    await expectError(postTx(bytes), 400, "BAD_SIGNATURE");
  });

  it("answers WRONG_CHAIN (400) to a tx for another chain", async () => {
    await expectError(postTx(transfer(await nextNonce(), { chainId: "another-chain" }).bytes), 400, "WRONG_CHAIN");
  });

  it("answers FEE_TOO_LOW (400) to a tx below the minimum fee", async () => {
    expect(feePerByte).toBeGreaterThan(0n);
    await expectError(postTx(transfer(await nextNonce(), { fee: 0n }).bytes), 400, "FEE_TOO_LOW");
  });

  it("answers NONCE_TOO_LOW (409) to a replay and to a new tx with a used nonce", async () => {
    const nonce = await nextNonce();
    const tx = transfer(nonce);
    const first = await postTx(tx.bytes);
    expect(first.status).toBe(202);
    expect(first.body.hash).toBe(toHex(tx.hash));
    await t.client.waitForTx(first.body.hash, { until: "included", timeoutMs: 10_000, pollMs: 50 });

    await expectError(postTx(transfer(nonce, { amount: 2n }).bytes), 409, "NONCE_TOO_LOW");
    const replay = await postTx(tx.bytes);
    expect(replay.status).toBe(409);
    expect(["NONCE_TOO_LOW", "DUPLICATE"]).toContain(replay.body.error.code);
  });

  it("answers DUPLICATE (409) to a tx already pending", async () => {
    const tx = transfer((await nextNonce()) + 5); // a nonce gap keeps it pending
    expect((await postTx(tx.bytes)).status).toBe(202);
    await expectError(postTx(tx.bytes), 409, "DUPLICATE");
  });

  it("answers PAYLOAD_TOO_LARGE (413) to a body over the limit, declared or streamed", async () => {
    await expectError(http(`${t.url}/v1/txs`, { body: "x".repeat(MAX_BODY + 1), contentType: "application/json" }), 413, "PAYLOAD_TOO_LARGE");
    // Chunked (no Content-Length): refused once the limit is crossed.
    const streamed = await new Promise<{ status: number; body: { error?: { code: string; details: unknown } } }>((resolve, reject) => {
      const req = request(`${t.url}/v1/txs`, { method: "POST", headers: { "content-type": "application/json" } }, (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (c: string) => (text += c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
      });
      req.on("error", reject);
      req.write("y".repeat(MAX_BODY / 2));
      req.write("y".repeat(MAX_BODY / 2));
      req.end("y".repeat(16));
    });
    await expectError(Promise.resolve(streamed), 413, "PAYLOAD_TOO_LARGE");
  });

  it("answers PAYLOAD_TOO_LARGE (413) to a batch of more than 1,000", async () => {
    const small = await startApiServer({ host: "127.0.0.1", port: 0 }, { node: t.node, logger: silentLogger });
    try {
      const answer = await http(`${small.url}/v1/txs`, { json: { txs: new Array(1001).fill("0x00") } });
      expect({ status: answer.status, code: answer.body.error.code }).toEqual({ status: 413, code: "PAYLOAD_TOO_LARGE" });
    } finally {
      await small.stop();
    }
  });
});

describe("routing errors", () => {
  it("answers NOT_FOUND (404) to an unknown route", async () => {
    await expectError(http(`${t.url}/v1/nope`), 404, "NOT_FOUND");
    await expectError(http(`${t.url}/`), 404, "NOT_FOUND");
  });

  it("answers METHOD_NOT_ALLOWED (405) with Allow to a wrong method", async () => {
    const answer = await http(`${t.url}/v1/status`, { method: "DELETE" });
    expect(answer.headers.get("allow")).toBe("GET");
    await expectError(Promise.resolve(answer), 405, "METHOD_NOT_ALLOWED");
    await expectError(http(`${t.url}/v1/txs`, { method: "PUT", body: "{}" }), 405, "METHOD_NOT_ALLOWED");
  });

  it("answers NOT_FOUND (404) to unknown blocks, txs and BAD_REQUEST (400) to bad ids", async () => {
    await expectError(http(`${t.url}/v1/blocks/999999`), 404, "NOT_FOUND");
    await expectError(http(`${t.url}/v1/blocks/0x${"ab".repeat(32)}`), 404, "NOT_FOUND");
    await expectError(http(`${t.url}/v1/txs/0x${"cd".repeat(32)}`), 404, "NOT_FOUND");
    await expectError(http(`${t.url}/v1/blocks/-1`), 400, "BAD_REQUEST");
    await expectError(http(`${t.url}/v1/blocks/0x12`), 400, "BAD_REQUEST");
    await expectError(http(`${t.url}/v1/txs/abc`), 400, "BAD_REQUEST");
    await expectError(http(`${t.url}/v1/accounts/0x1234`), 400, "BAD_REQUEST");
    await expectError(http(`${t.url}/v1/blocks/0?txs=maybe`), 400, "BAD_REQUEST");
  });
});

describe("batch submission", () => {
  it("answers 200 with one result per item, in order, hashes and codes mixed", async () => {
    const nonce = await nextNonce();
    const a = transfer(nonce);
    const b = transfer(nonce + 1);
    const answer = await http(`${t.url}/v1/txs`, {
      json: { txs: [toHex(a.bytes), "0xzz", toHex(transfer(nonce + 2, { fee: 0n }).bytes), toHex(b.bytes), toHex(a.bytes)] },
    });
    expect(answer.status).toBe(200);
    const results = answer.body.results as { hash?: string; error?: { code: string } }[];
    expect(results.map((r) => r.hash ?? r.error?.code)).toEqual([toHex(a.hash), "BAD_REQUEST", "FEE_TOO_LOW", toHex(b.hash), "DUPLICATE"]);
  });
});

describe("unexpected failures", () => {
  it("answers INTERNAL (500) when the node throws, logs it, and keeps serving", async () => {
    const records: { level: number; msg: string }[] = [];
    const { pino } = await import("pino");
    const logger = pino({ level: "error" }, { write: (line: string) => void records.push(JSON.parse(line)) });
    const server: ApiServer = await startApiServer(
      { host: "127.0.0.1", port: 0 },
      {
        node: {
          status: () => t.node.status(),
          blockByHeight: (h) => t.node.blockByHeight(h),
          blockByHash: (h) => t.node.blockByHash(h),
          submitTx: (b) => t.node.submitTx(b),
          submitTxs: (l) => t.node.submitTxs(l),
          txStatus: (h) => t.node.txStatus(h),
          account: async () => {
            throw new Error("storage exploded");
          },
          device: (id) => t.node.device(id),
          deviceIntegrity: (id) => t.node.deviceIntegrity(id),
          deviceReadings: (id, o) => t.node.deviceReadings(id, o),
          deviceAnomalies: (id, o) => t.node.deviceAnomalies(id, o),
          anomalies: (o) => t.node.anomalies(o),
          profile: (id, v) => t.node.profile(id, v),
          validators: () => t.node.validators(),
          marketOffers: (o) => t.node.marketOffers(o),
          licences: (b) => t.node.licences(b),
        },
        logger,
      },
    );
    try {
      const answer = await http(`${server.url}/v1/accounts/0x${"11".repeat(20)}`);
      expect({ status: answer.status, code: answer.body.error.code }).toEqual({ status: 500, code: "INTERNAL" });
      expect(records.some((r) => r.level >= 50)).toBe(true);
      expect((await http(`${server.url}/v1/status`)).status).toBe(200);
      expect(await new AttestaClient({ url: server.url }).status()).toMatchObject({ chainId });
    } finally {
      await server.stop();
      await server.stop(); // idempotent
    }
  });
});
