import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApiError, AttestaClient, buildTransaction, generateKeyPair, toHex, transferArgs, TRANSFER_KIND } from "../../../src/client/index.js";
import { freePort, startTestNode, type TestNode } from "../../fixtures/node.js";

// The SDK against a real dev node over real HTTP.

let t: TestNode;

beforeAll(async () => {
  t = await startTestNode();
});
afterAll(async () => {
  await t?.stop();
});

describe("AttestaClient", () => {
  it("reads the status with the fee rate as a bigint", async () => {
    const s = await t.client.status();
    expect(typeof s.params.feePerByte).toBe("bigint");
    expect(s.validators).toHaveLength(1);
    expect(s.mode).toBe("validator");
  });

  it("transfers, waits until final, and balances move by amount and fee", async () => {
    const to = generateKeyPair().address;
    const before = await t.client.account(t.devKey.address);
    const { hash, tx } = await t.client.transfer(t.devKey, to, 1_000n);
    expect(hash).toBe(toHex(tx.hash));
    expect(tx.nonce).toBe(before.pendingNonce);

    const status = await t.client.waitForTx(hash, { until: "final", timeoutMs: 15_000, pollMs: 50 });
    expect(status).toMatchObject({ hash, status: "final", index: 0 });
    expect(status.receipt).toMatchObject({ status: "ok", fee: tx.fee });

    const after = await t.client.account(t.devKey.address);
    expect(before.balance - after.balance).toBe(1_000n + tx.fee);
    expect(after.nonce).toBe(before.nonce + 1);
    expect((await t.client.account(to)).balance).toBe(1_000n);

    const block = await t.client.block(status.height as number, { txs: true });
    expect(block.txs?.[0]).toMatchObject({ hash, fee: tx.fee, receipt: { status: "ok", fee: tx.fee } });
    expect((await t.client.block(block.hash)).txHashes).toEqual([hash]);
  });

  it("waits for an included transfer when asked to", async () => {
    const result = await t.client.transfer(t.devKey, generateKeyPair().address, 5n, { wait: true });
    expect(["included", "final"]).toContain(result.status?.status);
  });

  it("submits a batch of consecutive nonces in order, with per-item errors", async () => {
    const { chainId, feePerByte } = await t.client.chainParams();
    const to = generateKeyPair().address;
    const nonce = (await t.client.account(t.devKey.address)).pendingNonce;
    const txs = [0, 1, 2].map((i) =>
      buildTransaction({ chainId, kind: TRANSFER_KIND, args: transferArgs(to, 10n), key: t.devKey, nonce: nonce + i, feePerByte }),
    );
    const results = await t.client.submitBatch([...txs, txs[0]!.bytes]);
    expect(results.slice(0, 3)).toEqual(txs.map((tx) => ({ hash: toHex(tx.hash), verdict: "accept" })));
    // The replay is refused: DUPLICATE while the original is pending, NONCE_TOO_LOW if a block
    // included it between two steps of the batch's admission.
    expect(["DUPLICATE", "NONCE_TOO_LOW"]).toContain((results[3] as { error: { code: string } }).error.code);
    await t.client.waitForTx(txs[2]!.hash, { timeoutMs: 15_000, pollMs: 50 });
    expect((await t.client.account(to)).balance).toBe(30n);
  });

  it("throws ApiError with the code and HTTP status the node answered", async () => {
    const poor = generateKeyPair();
    const err = await t.client.transfer(poor, generateKeyPair().address, 1n).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect({ code: (err as ApiError).code, status: (err as ApiError).status }).toMatchObject({ status: 422 });
    expect(["UNKNOWN_SENDER", "INSUFFICIENT_FUNDS"]).toContain((err as ApiError).code);

    const missing = await t.client.txStatus(new Uint8Array(32)).catch((e: unknown) => e);
    expect(missing).toMatchObject({ code: "NOT_FOUND", status: 404 });
  });

  it("rejects waitForTx with TIMEOUT for a hash that never appears", async () => {
    const err = await t.client.waitForTx(new Uint8Array(32), { timeoutMs: 200, pollMs: 50 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "TIMEOUT", status: 0 });
  });

  it("rejects with UNREACHABLE when no node listens", async () => {
    const client = new AttestaClient({ url: `http://127.0.0.1:${await freePort()}`, timeoutMs: 2_000 });
    await expect(client.status()).rejects.toMatchObject({ code: "UNREACHABLE", status: 0 });
  });
});
