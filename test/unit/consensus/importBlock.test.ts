import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { signPayload, generateKeyPair, type KeyPair } from "../../../src/crypto/keys.js";
import { BlockErrorCode } from "../../../src/contracts/errors.js";
import type { Block } from "../../../src/ledger/block.js";
import type { Commit } from "../../../src/ledger/commit.js";
import { headerPayload, type Header } from "../../../src/ledger/header.js";
import { TxErrorCode } from "../../../src/ledger/txErrors.js";
import { makeGenesis, makeTransfer, openChain, removeDir, tempDir, type OpenChain, type TestGenesis } from "../../fixtures/chain.js";

/** Re-signs a tampered header with `key`, so only the tampered rule can fail. */
function resign(header: Omit<Header, "signature">, key: KeyPair): Header {
  return { ...header, signature: signPayload("secp256k1", key.secretKey, headerPayload(header)) };
}

describe("block import", () => {
  let t: TestGenesis;
  let producer: OpenChain;
  let follower: OpenChain;
  let dirs: string[];
  let blocks: Array<{ block: Block; commit: Commit | undefined }>;

  beforeEach(async () => {
    t = makeGenesis();
    dirs = [await tempDir(), await tempDir()];
    producer = await openChain(t.genesis, dirs[0]!);
    follower = await openChain(t.genesis, dirs[1]!);
    const [alice, bob] = t.accounts;
    const now = Date.now();
    blocks = [];
    for (let nonce = 0; nonce < 3; nonce++) {
      const tx = makeTransfer(t.genesis, alice!, bob!, 10n, { nonce });
      const imported = await producer.chain.produceAndCommit(t.validatorKeys[0]!, [tx], now + nonce);
      blocks.push({ block: imported.block, commit: await producer.store.commit(imported.block.header.height) });
    }
  });
  afterEach(async () => {
    await producer.close();
    await follower.close();
    for (const d of dirs) await removeDir(d);
  });

  const v = (): KeyPair => t.validatorKeys[0]!;
  const b1 = (): Block => blocks[0]!.block;
  const b2 = (): Block => blocks[1]!.block;

  async function expectRejected(block: Block, code: string, commit?: Commit): Promise<void> {
    const before = follower.chain.head.hash;
    await expect(follower.chain.importBlock(block, commit)).rejects.toMatchObject({ code });
    expect(follower.chain.head.hash).toEqual(before);
  }

  it("imports the producer's blocks and reaches the same head, state root and finality", async () => {
    for (const { block, commit } of blocks) await follower.chain.importBlock(block, commit);
    expect(follower.chain.head.hash).toEqual(producer.chain.head.hash);
    expect(follower.chain.head.header.stateRoot).toEqual(producer.chain.head.header.stateRoot);
    expect(follower.chain.finalizedHeight).toBe(3);
  });

  it("still imports the valid block after refusing a bad one", async () => {
    await expectRejected(b2(), BlockErrorCode.BAD_HEIGHT);
    await follower.chain.importBlock(b1(), blocks[0]!.commit);
    expect(follower.chain.head.header.height).toBe(1);
  });

  it("WRONG_CHAIN", async () => {
    await expectRejected({ ...b1(), header: resign({ ...b1().header, chainId: "other" }, v()) }, BlockErrorCode.WRONG_CHAIN);
  });
  it("BAD_HEIGHT", async () => {
    await expectRejected({ ...b1(), header: resign({ ...b1().header, height: 7 }, v()) }, BlockErrorCode.BAD_HEIGHT);
  });
  it("BAD_PARENT", async () => {
    await expectRejected({ ...b1(), header: resign({ ...b1().header, parentHash: new Uint8Array(32).fill(1) }, v()) }, BlockErrorCode.BAD_PARENT);
  });
  it("BAD_TIMESTAMP not after the parent, or too far in the future", async () => {
    const h = b1().header;
    await expectRejected({ ...b1(), header: resign({ ...h, timestamp: t.genesis.timestamp }, v()) }, BlockErrorCode.BAD_TIMESTAMP);
    await expectRejected({ ...b1(), header: resign({ ...h, timestamp: Date.now() + 60_000 }, v()) }, BlockErrorCode.BAD_TIMESTAMP);
  });
  it("WRONG_PROPOSER when a non-validator proposes", async () => {
    const outsider = generateKeyPair();
    await expectRejected({ ...b1(), header: resign({ ...b1().header, proposer: outsider.address }, outsider) }, BlockErrorCode.WRONG_PROPOSER);
  });
  it("BAD_PROPOSER_SIGNATURE", async () => {
    const signature = new Uint8Array(b1().header.signature);
    signature[5]! ^= 1;
    await expectRejected({ ...b1(), header: { ...b1().header, signature } }, BlockErrorCode.BAD_PROPOSER_SIGNATURE);
  });
  it("BAD_COMMIT when the parent's certificate is missing or forged", async () => {
    await follower.chain.importBlock(b1(), blocks[0]!.commit);
    const h = b2().header;
    await expectRejected({ ...b2(), header: resign({ ...h, parentCommit: null }, v()) }, BlockErrorCode.BAD_COMMIT);
    const forged = { ...h.parentCommit!, signatures: [{ index: 0, signature: signPayload("secp256k1", generateKeyPair().secretKey, headerPayload(h)) }] };
    await expectRejected({ ...b2(), header: resign({ ...h, parentCommit: forged }, v()) }, BlockErrorCode.BAD_COMMIT);
    await expectRejected({ ...b2(), header: resign({ ...h, parentCommit: { ...h.parentCommit!, signatures: [] } }, v()) }, BlockErrorCode.BAD_COMMIT);
  });
  it("BAD_TX_ROOT when the body does not match the header", async () => {
    await expectRejected({ ...b1(), txs: [] }, BlockErrorCode.BAD_TX_ROOT);
  });
  it("BAD_STATE_ROOT", async () => {
    await expectRejected({ ...b1(), header: resign({ ...b1().header, stateRoot: new Uint8Array(32).fill(2) }, v()) }, BlockErrorCode.BAD_STATE_ROOT);
  });
  it("BAD_RECEIPTS_ROOT", async () => {
    await expectRejected({ ...b1(), header: resign({ ...b1().header, receiptsRoot: new Uint8Array(32).fill(3) }, v()) }, BlockErrorCode.BAD_RECEIPTS_ROOT);
  });
  it("BAD_VALIDATORS_HASH for the current or the next set", async () => {
    const h = b1().header;
    await expectRejected({ ...b1(), header: resign({ ...h, validatorsHash: new Uint8Array(32) }, v()) }, BlockErrorCode.BAD_VALIDATORS_HASH);
    await expectRejected({ ...b1(), header: resign({ ...h, nextValidatorsHash: new Uint8Array(32) }, v()) }, BlockErrorCode.BAD_VALIDATORS_HASH);
  });
  it("INVALID_TX with BAD_SIGNATURE for a transaction whose signature was tampered with", async () => {
    const tx = b1().txs[0]!;
    const signature = new Uint8Array(tx.signature);
    signature[10]! ^= 1;
    const err = await follower.chain.importBlock({ ...b1(), txs: [{ ...tx, signature }] }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: BlockErrorCode.INVALID_TX, details: { index: 0, code: TxErrorCode.BAD_SIGNATURE } });
  });
  it("BAD_COMMIT when the block's own certificate does not verify, so finality is never taken on trust", async () => {
    await expectRejected(b1(), BlockErrorCode.BAD_COMMIT, { ...blocks[0]!.commit!, round: 3 });
    await expectRejected(b1(), BlockErrorCode.BAD_COMMIT, { ...blocks[0]!.commit!, blockHash: new Uint8Array(32) });
    expect(follower.chain.finalizedHeight).toBe(0);
  });
});
