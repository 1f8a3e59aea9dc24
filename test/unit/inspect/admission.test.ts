import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createRegistry } from "../../../src/contracts/index.js";
import { encode } from "../../../src/ledger/codec.js";
import { TxErrorCode } from "../../../src/ledger/txErrors.js";
import { admitTransaction, MAX_NONCE_AHEAD } from "../../../src/inspect/admit.js";
import { Mempool } from "../../../src/inspect/mempool.js";
import { VerifiedCache } from "../../../src/inspect/verifiedCache.js";
import { makeGenesis, makeTransfer, openChain, removeDir, tempDir, type OpenChain, type TestGenesis } from "../../fixtures/chain.js";

describe("admission into the mempool", () => {
  let t: TestGenesis;
  let open: OpenChain;
  let dir: string;
  let mempool: Mempool;
  let verified: VerifiedCache;

  beforeEach(async () => {
    dir = await tempDir();
    t = makeGenesis();
    open = await openChain(t.genesis, dir);
    mempool = new Mempool({ maxTxs: 5, maxBytes: 1 << 20, maxPerSender: 3 });
    verified = new VerifiedCache(100);
  });
  afterEach(async () => {
    await open.close();
    await removeDir(dir);
  });

  const admit = (bytes: Uint8Array) =>
    admitTransaction(bytes, { chainId: t.genesis.chainId, height: 1, params: t.genesis.params }, { registry: createRegistry(), state: open.chain.state, mempool, verified });
  const transfer = (from: number, nonce: number, extra: Parameters<typeof makeTransfer>[4] = { nonce }) =>
    makeTransfer(t.genesis, t.accounts[from]!, t.accounts[(from + 1) % 3]!, 1n, { ...extra, nonce });

  it("admits a valid transfer, remembers its verified signature and tracks the pending nonce", async () => {
    const tx = transfer(0, 0);
    await admit(tx.bytes);
    expect(mempool.has(tx.hash)).toBe(true);
    expect(verified.has(tx)).toBe(true);
    expect(mempool.pendingNonce(tx.sender, 0)).toBe(1);
  });

  it.each([
    ["garbage bytes", () => Uint8Array.of(0xc1, 0x00), TxErrorCode.MALFORMED],
    ["a map instead of a tuple", () => encode([1]).fill(0x80, 0, 1), TxErrorCode.MALFORMED],
  ])("refuses %s as %s", async (_name, bytes, code) => {
    await expect(admit(bytes())).rejects.toMatchObject({ code });
  });

  it("NON_CANONICAL for a re-encoded variant of a valid transaction", async () => {
    const tx = transfer(0, 0);
    // nonce 0 written as uint8 (0xcc 0x00) instead of the canonical positive fixint 0x00
    const hex = Buffer.from(tx.bytes).toString("hex");
    const chainIdHeader = hex.indexOf(Buffer.from(t.genesis.chainId).toString("hex"));
    const at = chainIdHeader / 2 + t.genesis.chainId.length;
    const variant = new Uint8Array([...tx.bytes.subarray(0, at), 0xcc, ...tx.bytes.subarray(at)]);
    await expect(admit(variant)).rejects.toMatchObject({ code: TxErrorCode.NON_CANONICAL });
  });

  it("BAD_SIGNATURE, and nothing is kept", async () => {
    const tx = transfer(0, 0);
    const bytes = new Uint8Array(tx.bytes);
    bytes[bytes.length - 3]! ^= 1;
    await expect(admit(bytes)).rejects.toMatchObject({ code: TxErrorCode.BAD_SIGNATURE });
    expect(mempool.count).toBe(0);
  });

  it("WRONG_CHAIN, EXPIRED and FEE_TOO_LOW from the shared stateless rules", async () => {
    await expect(admit(transfer(0, 0, { nonce: 0, chainId: "elsewhere" }).bytes)).rejects.toMatchObject({ code: TxErrorCode.WRONG_CHAIN });
    await expect(admit(transfer(0, 0, { nonce: 0, expiry: 0 }).bytes)).resolves.toBeDefined();
    const pastHeight = { nonce: 1, expiry: 0 };
    await expect(
      admitTransaction(transfer(0, 1, pastHeight).bytes, { chainId: t.genesis.chainId, height: 10, params: t.genesis.params }, { registry: createRegistry(), state: open.chain.state, mempool, verified }),
    ).resolves.toBeDefined();
    await expect(
      admitTransaction(transfer(0, 2, { nonce: 2, expiry: 9 }).bytes, { chainId: t.genesis.chainId, height: 10, params: t.genesis.params }, { registry: createRegistry(), state: open.chain.state, mempool, verified }),
    ).rejects.toMatchObject({ code: TxErrorCode.EXPIRED });
    await expect(admit(transfer(1, 0, { nonce: 0, fee: 10n }).bytes)).rejects.toMatchObject({ code: TxErrorCode.FEE_TOO_LOW });
  });

  it("DUPLICATE for the same transaction, REPLACEMENT_UNDERPRICED for the same sender and nonce without 10% more fee", async () => {
    const tx = transfer(0, 0);
    await admit(tx.bytes);
    await expect(admit(tx.bytes)).rejects.toMatchObject({ code: TxErrorCode.DUPLICATE });
    await expect(admit(makeTransfer(t.genesis, t.accounts[0]!, t.accounts[2]!, 9n, { nonce: 0 }).bytes)).rejects.toMatchObject({ code: TxErrorCode.REPLACEMENT_UNDERPRICED });
  });

  it("NONCE_TOO_HIGH beyond the admission window", async () => {
    await expect(admit(transfer(0, MAX_NONCE_AHEAD + 1).bytes)).rejects.toMatchObject({ code: TxErrorCode.NONCE_TOO_HIGH });
  });

  it("MEMPOOL_FULL past the per-sender cap and the global cap", async () => {
    for (let n = 0; n < 3; n++) await admit(transfer(0, n).bytes);
    await expect(admit(transfer(0, 3).bytes)).rejects.toMatchObject({ code: TxErrorCode.MEMPOOL_FULL });
    for (let n = 0; n < 2; n++) await admit(transfer(1, n).bytes);
    await expect(admit(transfer(2, 0).bytes)).rejects.toMatchObject({ code: TxErrorCode.MEMPOOL_FULL });
    expect(mempool.count).toBe(5);
  });

  it("offers candidates per sender in nonce order, whatever the arrival order", async () => {
    const txs = [transfer(0, 2), transfer(1, 0), transfer(0, 0), transfer(0, 1)];
    for (const tx of txs) await admit(tx.bytes);
    const candidates = mempool.candidates(10, 1 << 20);
    const noncesOf = (i: number) => candidates.filter((tx) => Buffer.from(tx.sender).equals(t.accounts[i]!.address)).map((tx) => tx.nonce);
    expect(candidates).toHaveLength(4);
    expect(noncesOf(0)).toEqual([0, 1, 2]);
    expect(noncesOf(1)).toEqual([0]);
  });
});
