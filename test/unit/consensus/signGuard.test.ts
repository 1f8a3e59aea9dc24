import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { toHex } from "../../../src/crypto/bytes.js";
import { generateKeyPair } from "../../../src/crypto/keys.js";
import { verifySignature } from "../../../src/crypto/verify.js";
import { ConsensusEngine } from "../../../src/consensus/engine.js";
import { SignGuard, type SignStateStore } from "../../../src/consensus/signGuard.js";
import { MemoryNetwork } from "../../../src/consensus/transport.js";
import { chainConsensusHost } from "../../../src/node/consensusHost.js";
import { Step, type MachineSnapshot } from "../../../src/consensus/tendermint/types.js";
import { decodeWireMessage, statementPayload, StatementKind, type Statement } from "../../../src/ledger/consensusMessages.js";
import { FileSignStateStore } from "../../../src/node/signStateFile.js";
import { makeGenesis, openChain, removeDir, tempDir } from "../../fixtures/chain.js";
import { waitFor } from "../../fixtures/node.js";
import { startConsensusNet, type ConsensusNet } from "../../fixtures/consensusNet.js";

const CHAIN = "attesta-test";
const key = generateKeyPair("secp256k1");
const hash = (fill: number): Uint8Array => new Uint8Array(32).fill(fill);
const snap = (height: number, round: number): MachineSnapshot => ({ height, round, step: Step.PREVOTE, lockedValue: "aa", lockedRound: round, validValue: "aa", validRound: round });
const vote = (kind: StatementKind, height: number, round: number, fill: number): Omit<Statement, "signature"> => ({ kind, height, round, validRound: -1, blockHash: hash(fill) });

let dir: string | undefined;
let net: ConsensusNet | undefined;
afterEach(async () => {
  if (dir !== undefined) await removeDir(dir);
  await net?.close();
  dir = undefined;
  net = undefined;
});

describe("sign guard: never sign twice", () => {
  it("signs forward, re-signs the same statement, refuses a conflicting or earlier one, across a reopen from disk", async () => {
    dir = await tempDir();
    const path = join(dir, "sign-state.json");
    const guard = await SignGuard.open(new FileSignStateStore(path), key.secretKey);
    const prevote = vote(StatementKind.PREVOTE, 5, 1, 1);
    const signature = await guard.sign(CHAIN, prevote, snap(5, 1));
    expect(signature).toBeDefined();
    expect(verifySignature("secp256k1", key.publicKey, signature!, statementPayload(CHAIN, prevote))).toBe(true);
    expect(await guard.sign(CHAIN, prevote, snap(5, 1))).toEqual(signature);
    expect(await guard.sign(CHAIN, vote(StatementKind.PREVOTE, 5, 1, 2), snap(5, 1))).toBeUndefined();
    expect(await guard.sign(CHAIN, vote(StatementKind.PROPOSAL, 5, 1, 1), snap(5, 1))).toBeUndefined();
    expect(await guard.sign(CHAIN, vote(StatementKind.PRECOMMIT, 5, 0, 1), snap(5, 1))).toBeUndefined();
    expect(guard.refused).toBe(3);

    const reopened = await SignGuard.open(new FileSignStateStore(path), key.secretKey);
    expect(reopened.snapshot).toEqual(snap(5, 1));
    expect(await reopened.sign(CHAIN, vote(StatementKind.PREVOTE, 5, 1, 2), snap(5, 1))).toBeUndefined();
    expect(await reopened.sign(CHAIN, prevote, snap(5, 1))).toEqual(signature);
    expect(await reopened.sign(CHAIN, vote(StatementKind.PRECOMMIT, 5, 1, 2), snap(5, 1))).toBeDefined();
    expect(await reopened.sign(CHAIN, vote(StatementKind.PREVOTE, 6, 0, 3), snap(6, 0))).toBeDefined();
  });

  it("a corrupt sign state stops the validator instead of letting it forget what it signed", async () => {
    dir = await tempDir();
    const path = join(dir, "sign-state.json");
    await (await import("node:fs/promises")).writeFile(path, "{ not json");
    await expect(SignGuard.open(new FileSignStateStore(path), key.secretKey)).rejects.toMatchObject({ code: "SIGN_STATE_CORRUPT" });
  });

  it("a validator crashed and restarted at every step never sends two conflicting statements", async () => {
    net = await startConsensusNet(4);
    const signed = new Map<string, string>();
    const conflicts: string[] = [];
    let crashAfter: { kind: StatementKind; resolve: () => void } | undefined;
    // Every statement signed by validator 3 that crosses the network, sent by it or relayed by others.
    net.network.observe((_from, bytes) => {
      const m = decodeWireMessage(bytes);
      if ((m.type !== "proposal" && m.type !== "vote") || m.index !== 3) return;
      const s = m.statement;
      const position = `${s.height}/${s.round}/${s.kind}`;
      const content = `${toHex(s.blockHash)}/${s.validRound}`;
      const earlier = signed.get(position);
      if (earlier !== undefined && earlier !== content) conflicts.push(position);
      signed.set(position, content);
      if (crashAfter?.kind === s.kind) {
        crashAfter.resolve();
        crashAfter = undefined;
      }
    });
    // Crash right after each step: once it has sent a proposal, a prevote, a precommit. Restarted,
    // it is cut off for longer than a propose timeout: a validator that forgot what it signed
    // would then prevote nil where it had prevoted a block, or propose again.
    for (const step of [StatementKind.PROPOSAL, StatementKind.PREVOTE, StatementKind.PRECOMMIT, StatementKind.PREVOTE, StatementKind.PRECOMMIT]) {
      await new Promise<void>((resolve) => (crashAfter = { kind: step, resolve }));
      await net.stop(3);
      for (const peer of ["v0", "v1", "v2"]) net.network.disconnect("v3", peer);
      await net.restart(3);
      await new Promise((r) => setTimeout(r, 400));
      for (const peer of ["v0", "v1", "v2"]) net.network.connect("v3", peer);
    }
    const target = net.nodes[0]!.open.chain.head.header.height + 3;
    await net.waitHeight(target, 30_000);
    expect(signed.size).toBeGreaterThan(0);
    expect(conflicts).toEqual([]);
    for (const v of net.nodes) expect(v.engine.stats.evidence).toBe(0);
  });
});

describe("a lone validator killed right after it persisted each step", () => {
  it.each([
    ["its proposal", StatementKind.PROPOSAL],
    ["its prevote", StatementKind.PREVOTE],
    ["its precommit", StatementKind.PRECOMMIT],
  ])("after %s, restarts from its sign state and finishes the height, then goes on", async (_name, kind) => {
    dir = await tempDir();
    const t = makeGenesis({ validators: 1, params: { blockPeriodMs: 20, heartbeatMs: 50 } });
    const key1 = t.validatorKeys[0]!;
    const path = join(dir, "sign-state.json");
    const open = await openChain(t.genesis, dir);
    try {
      const network = new MemoryNetwork();
      const host = chainConsensusHost({ chain: open.chain, key: key1, candidates: () => [], pending: () => 0, submitEvidence: () => undefined });
      // The first engine "dies" as soon as the statement of `kind` at height 2 is on disk: it never leaves.
      let crashed = false;
      const store = new FileSignStateStore(path);
      const dying: SignStateStore = {
        load: () => store.load(),
        loadBlock: () => store.loadBlock(),
        saveBlock: (b) => store.saveBlock(b),
        async save(state) {
          if (crashed) throw new Error("dead");
          await store.save(state);
          if (state.last?.height === 2 && state.last.kind === kind) {
            crashed = true;
            engine.stop();
            throw new Error("killed");
          }
        },
      };
      const engine = new ConsensusEngine(host, { key: key1, guard: await SignGuard.open(dying, key1.secretKey), transport: network.join("a"), blockPeriodMs: 20, heartbeatMs: 50 });
      await engine.start();
      await waitFor(async () => (crashed ? true : undefined), 10_000);
      await open.chain.idle();
      expect(open.chain.head.header.height).toBe(1);
      const persisted = await store.load();
      expect(persisted.last).toMatchObject({ height: 2, kind });

      const restarted = new ConsensusEngine(host, { key: key1, guard: await SignGuard.open(store, key1.secretKey), transport: network.join("b"), blockPeriodMs: 20, heartbeatMs: 50 });
      await restarted.start();
      await waitFor(async () => (open.chain.head.header.height >= 4 ? true : undefined), 10_000);
      restarted.stop();
      // Height 2 was finished with what was signed before the crash: the same proposal.
      const decided = await open.chain.decided(2);
      expect(toHex(decided!.commit.blockHash)).toBe(persisted.statements[0]!.blockHash);
      expect(restarted.stats.refusedSignatures).toBe(0);
    } finally {
      await open.chain.idle();
      await open.close();
    }
  });
});
