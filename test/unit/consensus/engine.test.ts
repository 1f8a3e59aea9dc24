import { afterEach, describe, expect, it } from "vitest";
import { equalBytes, toHex } from "../../../src/crypto/bytes.js";
import { generateKeyPair, signPayload } from "../../../src/crypto/keys.js";
import { proposerIndex } from "../../../src/consensus/proposer.js";
import { encodeWireMessage, statementPayload, StatementKind } from "../../../src/ledger/consensusMessages.js";
import { headerHash } from "../../../src/ledger/header.js";
import { verifyCommit } from "../../../src/consensus/verifyCommit.js";
import { validatorSetHash } from "../../../src/contracts/modules/validators.js";
import { makeTransfer, makeTx } from "../../fixtures/chain.js";
import { startConsensusNet, type ConsensusNet } from "../../fixtures/consensusNet.js";
import { waitFor } from "../../fixtures/node.js";

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

describe("equivocation", () => {
  it("two conflicting prevotes of one validator become evidence, recorded on chain; the offender is no longer chosen as proposer", async () => {
    net = await startConsensusNet(4);
    await net.waitHeight(2);
    await net.stop(3); // its key now signs for an attacker; the three others are a quorum
    const offender = net.t.validatorKeys[3]!;
    const attacker = net.network.join("byzantine");
    const { chainId } = net.t.genesis;
    const from = net.nodes[0]!.open.chain.head.header.height + 1;
    for (let height = from; height < from + 4; height++) {
      for (const fill of [1, 2]) {
        const unsigned = { kind: StatementKind.PREVOTE, height, round: 0, validRound: -1, blockHash: new Uint8Array(32).fill(fill) };
        const signature = signPayload("secp256k1", offender.secretKey, statementPayload(chainId, unsigned));
        attacker.broadcast(encodeWireMessage({ type: "vote", index: 3, statement: { ...unsigned, signature } }));
      }
    }
    const honest = net.nodes.slice(0, 3);
    await waitFor(async () => (honest.every((v) => v.open.chain.jailed.some((a) => equalBytes(a, offender.address))) ? true : undefined), 20_000);
    expect(honest.some((v) => v.engine.stats.evidence > 0)).toBe(true);
    for (const v of honest) {
      const { chain } = v.open;
      for (let h = chain.head.header.height + 1; h < chain.head.header.height + 9; h++) {
        for (let round = 0; round < 4; round++) expect(proposerIndex(chain.validators, h, round, chain.jailed)).not.toBe(3);
      }
    }
    // Finality goes on, and it no longer waits for the silent offender's turns.
    const at = net.nodes[0]!.open.chain.head.header.height;
    const roundsBefore = net.nodes[0]!.engine.stats.rounds;
    await net.waitHeight(at + 8, 20_000, [0, 1, 2]);
    expect(net.nodes[0]!.engine.stats.rounds).toBe(roundsBefore);
    attacker.close();
  });

  it("garbage and forged messages are counted and ignored; the validators keep finalizing", async () => {
    net = await startConsensusNet(4);
    await net.waitHeight(1);
    const attacker = net.network.join("garbage");
    const outsider = generateKeyPair("secp256k1");
    // The validators cut off from each other (not from the attacker): their heights stay put,
    // so each gets forged statements for the height it is deciding, which it must check.
    const ids = net.nodes.map((_, i) => `v${i}`);
    const cut = (link: (a: string, b: string) => void): void => ids.forEach((a) => ids.forEach((b) => a < b && link(a, b)));
    const links = net.network;
    cut((a, b) => links.disconnect(a, b));
    await new Promise((resolve) => setTimeout(resolve, 200));
    const height = Math.min(...net.nodes.map((v) => v.open.chain.head.header.height + 1));
    for (const [n, v] of net.nodes.entries()) {
      const current = v.open.chain.head.header.height + 1;
      const unsigned = { kind: StatementKind.PRECOMMIT, height: current, round: 0, validRound: -1, blockHash: new Uint8Array(32).fill(7) };
      const forged = signPayload("secp256k1", outsider.secretKey, statementPayload(net.t.genesis.chainId, unsigned));
      for (let i = 0; i < 50; i++) {
        attacker.send(ids[n]!, Uint8Array.of(0xc1, i));
        attacker.send(ids[n]!, encodeWireMessage({ type: "vote", index: i % 4, statement: { ...unsigned, signature: forged } }));
        attacker.send(ids[n]!, encodeWireMessage({ type: "vote", index: 1000 + i, statement: { ...unsigned, signature: forged } }));
      }
      // A "decided" block for the height being decided, certified by forged precommits.
      const donor = await v.open.chain.decided(current - 1);
      const block = { ...donor!.block, header: { ...donor!.block.header, height: current } };
      const forgedCommit = { height: current, round: 0, blockHash: headerHash(block.header), signatures: [0, 1, 2].map((index) => ({ index, signature: forged })) };
      attacker.send(ids[n]!, encodeWireMessage({ type: "decision", block, commit: forgedCommit }));
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
    for (const v of net.nodes) expect(v.engine.stats.invalidMessages).toBeGreaterThanOrEqual(101);
    cut((a, b) => links.connect(a, b));
    await net.waitHeight(height + 3);
    await expectAgreement(net, height + 3); // every stored certificate verifies: the forged one was not taken
    attacker.close();
  });
});

describe("validator-set changes through consensus", () => {
  it("a removal voted in block h is in force at h+2 (announced by the header at h+1); the three left keep finalizing", async () => {
    net = await startConsensusNet(4);
    await net.waitHeight(1);
    const removed = net.t.validatorKeys[3]!;
    // Three of four vote to remove validator 3 (each signs as the funded account of its key).
    for (const v of net.nodes.slice(0, 3)) {
      const vote = makeTx(net.t.genesis, v.key, "validators.vote", [removed.address, false, null], { nonce: 0 });
      for (const w of net.nodes) w.queue.push(vote);
    }
    await waitFor(async () => (net!.nodes.every((v) => v.open.chain.validators.length === 3) ? true : undefined), 20_000);
    const chain = net.nodes[0]!.open.chain;
    const four = toHex(validatorSetHash(net.t.genesis.validators));
    const three = toHex(validatorSetHash(net.t.genesis.validators.slice(0, 3)));
    // The first header announcing the three is h+1; the one before it, h, holds the decisive vote.
    let announcing = 1;
    while (toHex((await chain.decided(announcing))!.block.header.nextValidatorsHash) !== three) announcing++;
    const decisive = (await chain.decided(announcing - 1))!.block;
    expect(decisive.txs.some((tx) => tx.kind === "validators.vote")).toBe(true);
    expect(toHex((await chain.decided(announcing))!.block.header.validatorsHash)).toBe(four);
    await net.waitHeight(announcing + 1);
    const inForce = await chain.decided(announcing + 1);
    expect(toHex(inForce!.block.header.validatorsHash)).toBe(three);
    expect(inForce!.commit.signatures.every((s) => s.index < 3)).toBe(true);
    await net.stop(3);
    const at = chain.head.header.height;
    await net.waitHeight(at + 3, 20_000, [0, 1, 2]);
    const last = await chain.decided(at + 3);
    expect(last!.commit.signatures.every((s) => s.index < 3)).toBe(true);
  });
});
