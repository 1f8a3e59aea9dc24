import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { query } from "../../../src/contracts/state.js";
import { generateKeyPair } from "../../../src/crypto/keys.js";
import { AttestaError } from "../../../src/errors.js";
import { BlockErrorCode, createRegistry, ExecErrorCode, readAccount } from "../../../src/contracts/index.js";
import { executeBlock, type BlockEnv } from "../../../src/contracts/index.js";
import { TxErrorCode } from "../../../src/ledger/txErrors.js";
import type { SignedTransaction } from "../../../src/ledger/transaction.js";
import { FUNDED_BALANCE, makeGenesis, makeTransfer, makeTx, openChain, removeDir, tempDir, type OpenChain, type TestGenesis } from "../../fixtures/chain.js";

describe("executeBlock over a real level state", () => {
  let t: TestGenesis;
  let open: OpenChain;
  let dir: string;
  let env: BlockEnv;
  const registry = createRegistry();

  beforeEach(async () => {
    dir = await tempDir();
    t = makeGenesis();
    open = await openChain(t.genesis, dir);
    const proposer = t.validatorKeys[0]!.address;
    env = { chainId: t.genesis.chainId, height: 1, timestamp: t.genesis.timestamp + 1000, proposer, params: t.genesis.params };
  });
  afterEach(async () => {
    await open.close();
    await removeDir(dir);
  });

  /** The state as the block leaves it: its changes over the committed state. */
  function after(changes: { key: Uint8Array; value: Uint8Array | null }[]) {
    const values = new Map(changes.map((c) => [Buffer.from(c.key).toString("hex"), c.value]));
    return {
      get: async (k: Uint8Array) => {
        const v = values.get(Buffer.from(k).toString("hex"));
        return v === undefined ? open.chain.state.get(k) : (v ?? undefined);
      },
    };
  }

  const run = (txs: SignedTransaction[], skipInvalid = false) => executeBlock(open.chain.state, env, txs, registry, { skipInvalid });

  async function expectInvalid(tx: SignedTransaction, code: string): Promise<void> {
    const err = await run([tx]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AttestaError);
    expect((err as AttestaError).code).toBe(BlockErrorCode.INVALID_TX);
    expect((err as AttestaError).details?.code).toBe(code);
  }

  it("transfers the amount, pays the fee to the proposer and bumps the nonce", async () => {
    const [alice, bob] = t.accounts;
    const tx = makeTransfer(t.genesis, alice!, bob!, 700n, { nonce: 0 });
    const { receipts, changes } = await run([tx]);
    expect(receipts[0]).toMatchObject({ status: "ok", code: "", fee: tx.fee });
    expect(receipts[0]!.events[0]!.type).toBe("transfer");
    const view = after(changes);
    expect(await query(view, (s) => readAccount(s, alice!.address))).toEqual({
      balance: FUNDED_BALANCE - 700n - tx.fee,
      nonce: 1,
      counters: { txs: 1, readings: 0, anomalies: 0, feesPaid: tx.fee },
    });
    expect((await query(view, (s) => readAccount(s, bob!.address)))?.balance).toBe(FUNDED_BALANCE + 700n);
    expect((await query(view, (s) => readAccount(s, env.proposer)))?.balance).toBe(tx.fee);
  });

  it("a failing transfer reverts its own writes, still pays its fee, and gets a coded receipt", async () => {
    const [alice, bob] = t.accounts;
    const ok = makeTransfer(t.genesis, alice!, bob!, 5n, { nonce: 0 });
    const tooMuch = makeTransfer(t.genesis, alice!, bob!, FUNDED_BALANCE * 2n, { nonce: 1 });
    const zero = makeTransfer(t.genesis, alice!, bob!, 0n, { nonce: 2 });
    const { receipts, changes } = await run([ok, tooMuch, zero]);
    expect(receipts.map((r) => [r.status, r.code])).toEqual([
      ["ok", ""],
      ["failed", ExecErrorCode.INSUFFICIENT_FUNDS],
      ["failed", ExecErrorCode.INVALID_ARGUMENT],
    ]);
    expect(receipts[1]!.events).toEqual([]);
    const view = after(changes);
    const fees = ok.fee + tooMuch.fee + zero.fee;
    expect(await query(view, (s) => readAccount(s, alice!.address))).toEqual({
      balance: FUNDED_BALANCE - 5n - fees,
      nonce: 3,
      counters: { txs: 3, readings: 0, anomalies: 0, feesPaid: fees },
    });
    expect((await query(view, (s) => readAccount(s, bob!.address)))?.balance).toBe(FUNDED_BALANCE + 5n);
  });

  it("gives the same changes and receipts when the same block runs twice", async () => {
    const [alice, bob, carol] = t.accounts;
    const txs = [makeTransfer(t.genesis, alice!, bob!, 3n, { nonce: 0 }), makeTransfer(t.genesis, bob!, carol!, 9n, { nonce: 0 })];
    expect(await run(txs)).toEqual(await run(txs));
  });

  it("gives the same block over a base with nothing at hand, each read a miss that runs its transaction again", async () => {
    const [alice, bob, carol] = t.accounts;
    const txs = [
      makeTransfer(t.genesis, alice!, bob!, 3n, { nonce: 0 }),
      makeTransfer(t.genesis, bob!, carol!, 9n, { nonce: 0 }),
      makeTransfer(t.genesis, carol!, alice!, FUNDED_BALANCE * 2n, { nonce: 0 }), // fails after its fee: reverted writes
      makeTransfer(t.genesis, alice!, generateKeyPair().address, 1n, { nonce: 1 }),
    ];
    let gets = 0;
    const cold = {
      get: (k: Uint8Array) => {
        gets++;
        return open.chain.state.get(k);
      },
    };
    const warm = await run(txs);
    expect(await executeBlock(cold, env, txs, registry)).toEqual(warm);
    // Each key is fetched once, however many runs its transaction took.
    expect(gets).toBe(new Set(warm.changes.map((c) => Buffer.from(c.key).toString("hex"))).size);
  });

  it("refuses a block holding a transaction of another chain: WRONG_CHAIN", async () => {
    await expectInvalid(makeTransfer(t.genesis, t.accounts[0]!, t.accounts[1]!, 1n, { nonce: 0, chainId: "other" }), TxErrorCode.WRONG_CHAIN);
  });
  it("EXPIRED past its expiry height", async () => {
    env = { ...env, height: 5 };
    await expectInvalid(makeTransfer(t.genesis, t.accounts[0]!, t.accounts[1]!, 1n, { nonce: 0, expiry: 4 }), TxErrorCode.EXPIRED);
  });
  it("FEE_TOO_LOW under feePerByte times size", async () => {
    await expectInvalid(makeTransfer(t.genesis, t.accounts[0]!, t.accounts[1]!, 1n, { nonce: 0, fee: 1n }), TxErrorCode.FEE_TOO_LOW);
  });
  it("UNKNOWN_METHOD for a kind no module has", async () => {
    await expectInvalid(makeTx(t.genesis, t.accounts[0]!, "accounts.steal", [], { nonce: 0 }), TxErrorCode.UNKNOWN_METHOD);
  });
  it("MALFORMED arguments", async () => {
    await expectInvalid(makeTx(t.genesis, t.accounts[0]!, "accounts.transfer", ["x", 1n], { nonce: 0 }), TxErrorCode.MALFORMED);
  });
  it("UNKNOWN_SENDER without an account", async () => {
    await expectInvalid(makeTransfer(t.genesis, generateKeyPair(), t.accounts[1]!, 1n, { nonce: 0 }), TxErrorCode.UNKNOWN_SENDER);
  });
  it("NONCE_TOO_LOW and NONCE_TOO_HIGH: a block needs the exact nonce", async () => {
    await expectInvalid(makeTransfer(t.genesis, t.accounts[0]!, t.accounts[1]!, 1n, { nonce: 1 }), TxErrorCode.NONCE_TOO_HIGH);
    const first = makeTransfer(t.genesis, t.accounts[0]!, t.accounts[1]!, 1n, { nonce: 0 });
    const replay = makeTransfer(t.genesis, t.accounts[0]!, t.accounts[1]!, 2n, { nonce: 0 });
    const err = (await run([first, replay]).catch((e: unknown) => e)) as AttestaError;
    expect([err.code, err.details?.code, err.details?.index]).toEqual([BlockErrorCode.INVALID_TX, TxErrorCode.NONCE_TOO_LOW, 1]);
  });
  it("INSUFFICIENT_FUNDS when the fee cannot be paid", async () => {
    await expectInvalid(makeTransfer(t.genesis, t.accounts[0]!, t.accounts[1]!, 1n, { nonce: 0, fee: FUNDED_BALANCE + 1n }), TxErrorCode.INSUFFICIENT_FUNDS);
  });
  it("TOO_LARGE for a transaction over maxTxBytes", async () => {
    env = { ...env, params: { ...env.params, maxTxBytes: 256 } };
    await expectInvalid(makeTx(t.genesis, t.accounts[0]!, "accounts.transfer", [new Uint8Array(300), 1n], { nonce: 0 }), TxErrorCode.TOO_LARGE);
  });
  it("DUPLICATE_TX when one transaction is included twice", async () => {
    const tx = makeTransfer(t.genesis, t.accounts[0]!, t.accounts[1]!, 1n, { nonce: 0 });
    await expect(run([tx, tx])).rejects.toMatchObject({ code: BlockErrorCode.DUPLICATE_TX });
  });
  it("TOO_LARGE for a block over maxBlockTxs", async () => {
    env = { ...env, params: { ...env.params, maxBlockTxs: 1 } };
    const txs = [0, 1].map((nonce) => makeTransfer(t.genesis, t.accounts[0]!, t.accounts[1]!, 1n, { nonce }));
    await expect(run(txs)).rejects.toMatchObject({ code: BlockErrorCode.TOO_LARGE });
  });
  it("in proposer mode leaves invalid transactions out with their codes", async () => {
    const good = makeTransfer(t.genesis, t.accounts[0]!, t.accounts[1]!, 1n, { nonce: 0 });
    const gap = makeTransfer(t.genesis, t.accounts[1]!, t.accounts[0]!, 1n, { nonce: 3 });
    const result = await run([good, gap], true);
    expect(result.included).toEqual([good]);
    expect(result.dropped.map((d) => d.code)).toEqual([TxErrorCode.NONCE_TOO_HIGH]);
  });
});
