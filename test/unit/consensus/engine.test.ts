import { afterEach, describe, expect, it } from "vitest";
import { toHex } from "../../../src/crypto/bytes.js";
import { verifyCommit } from "../../../src/consensus/verifyCommit.js";
import { makeTransfer } from "../../fixtures/chain.js";
import { startConsensusNet, type ConsensusNet } from "../../fixtures/consensusNet.js";

let net: ConsensusNet | undefined;
afterEach(async () => {
  await net?.close();
  net = undefined;
});

/** Every running validator stores the same block hash at every height up to `height`, each certified. */
async function expectAgreement(n: ConsensusNet, height: number): Promise<void> {
  for (let h = 1; h <= height; h++) {
    const hashes = new Set<string>();
    for (const v of n.nodes.filter((x) => x.running)) {
      const decided = await v.open.chain.decided(h);
      expect(decided, `validator ${v.index} height ${h}`).toBeDefined();
      const hash = decided!.commit.blockHash;
      verifyCommit(decided!.commit, n.t.genesis.validators, n.t.genesis.chainId, h, hash);
      hashes.add(toHex(hash));
    }
    expect(hashes.size, `height ${h}`).toBe(1);
  }
}

describe("consensus engine over the in-memory transport, real chains", () => {
  it("a single validator decides at once", async () => {
    net = await startConsensusNet(1);
    await net.waitHeight(3, 10_000);
    await expectAgreement(net, 3);
    expect(net.nodes[0]!.engine.stats.rounds).toBe(0);
  });

  it("4 validators finalize the same blocks, with transactions, every certificate a quorum", async () => {
    net = await startConsensusNet(4);
    const [alice, bob] = net.t.accounts;
    const transfer = makeTransfer(net.t.genesis, alice!, bob!, 5n, { nonce: 0 });
    for (const v of net.nodes) v.queue.push(transfer);
    await net.waitHeight(4);
    await expectAgreement(net, 4);
    // Every validator had the transfer queued; it is on the chain exactly once.
    const chain = net.nodes[0]!.open.chain;
    const included: string[] = [];
    for (let h = 1; h <= chain.head.header.height; h++) included.push(...(await chain.decided(h))!.block.txs.map((tx) => toHex(tx.hash)));
    expect(included).toEqual([toHex(transfer.hash)]);
  });

  it("one of four crashes: the others keep finalizing; restarted, it catches up and votes again", async () => {
    net = await startConsensusNet(4);
    await net.waitHeight(2);
    await net.stop(3);
    const at = net.nodes[0]!.open.chain.head.header.height;
    await net.waitHeight(at + 3, 20_000, [0, 1, 2]);
    await net.restart(3);
    const target = net.nodes[0]!.open.chain.head.header.height + 2;
    await net.waitHeight(target, 30_000);
    await expectAgreement(net, target);
    // Voting again: a later certificate carries its precommit.
    const later = target + 4;
    await net.waitHeight(later, 30_000);
    let signedBy3 = false;
    for (let h = target; h <= later; h++) signedBy3 ||= (await net.nodes[0]!.open.chain.decided(h))!.commit.signatures.some((s) => s.index === 3);
    expect(signedBy3).toBe(true);
  });

  it("two of four stopped: finality halts without a fork; one back: it resumes", async () => {
    net = await startConsensusNet(4);
    await net.waitHeight(2);
    await net.stop(2);
    await net.stop(3);
    await new Promise((r) => setTimeout(r, 300));
    const halted = Math.max(net.nodes[0]!.open.chain.head.header.height, net.nodes[1]!.open.chain.head.header.height);
    await new Promise((r) => setTimeout(r, 1_500));
    expect(net.nodes[0]!.open.chain.head.header.height).toBeLessThanOrEqual(halted);
    expect(net.nodes[1]!.open.chain.head.header.height).toBeLessThanOrEqual(halted);
    await net.restart(2);
    await net.waitHeight(halted + 2, 30_000);
    await expectAgreement(net, halted + 2);
  });
});
