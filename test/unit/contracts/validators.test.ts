import { afterEach, describe, expect, it } from "vitest";
import { toHex } from "../../../src/crypto/bytes.js";
import { generateKeyPair, signPayload, type KeyPair } from "../../../src/crypto/keys.js";
import { proposerIndex } from "../../../src/consensus/proposer.js";
import { readJailed } from "../../../src/contracts/modules/validators.js";
import { evidenceTuple, statementPayload, StatementKind, type Statement } from "../../../src/ledger/consensusMessages.js";
import { AttestaError } from "../../../src/errors.js";
import {
  BlockErrorCode,
  createRegistry,
  executeBlock,
  openVotes,
  pendingChanges,
  readValidatorSet,
  validator,
  ValidatorErrorCode,
  validatorSetAt,
  validatorSetHash,
  MAX_OPEN_VOTES,
  MAX_VALIDATORS,
  type BlockEnv,
  type Genesis,
} from "../../../src/contracts/index.js";
import { transferArgs } from "../../../src/client/buildTransaction.js";
import type { Encodable } from "../../../src/ledger/codec.js";
import type { Receipt } from "../../../src/ledger/receipt.js";
import type { SignedTransaction } from "../../../src/ledger/transaction.js";
import { TxErrorCode } from "../../../src/ledger/txErrors.js";
import { query, id, type StateReader } from "../../../src/contracts/state.js";
import { FUNDED_BALANCE, makeGenesis, makeTx, openChain, removeDir, tempDir, type OpenChain } from "../../fixtures/chain.js";

/** Committed state in memory over a base: each block's changes kept in a map on top. */
class LayeredState implements StateReader {
  private readonly writes = new Map<string, Uint8Array | null>();

  constructor(private readonly base: StateReader) {}

  get(key: Uint8Array): Promise<Uint8Array | undefined> {
    const k = id(key);
    return this.writes.has(k) ? Promise.resolve(this.writes.get(k) ?? undefined) : this.base.get(key);
  }

  peek(k: string): Uint8Array | null | undefined {
    return this.writes.has(k) ? this.writes.get(k) : this.base.peek?.(k);
  }

  set(key: Uint8Array, value: Uint8Array | null): void {
    this.writes.set(id(key), value);
  }
}

/**
 * A chain of `n` validators executed block by block with `executeBlock` over committed state
 * carried from block to block in memory, on top of the genesis state in a real level store:
 * the real execution path, without consensus (which needs n signers online).
 */
class Governance {
  private readonly registry = createRegistry();
  private readonly nonces = new Map<string, number>();
  readonly state: LayeredState;
  height = 0;

  private constructor(
    readonly genesis: Genesis,
    readonly validators: KeyPair[],
    readonly outsider: KeyPair,
    private readonly open: OpenChain,
    private readonly dir: string,
  ) {
    this.state = new LayeredState(open.chain.state);
  }

  static async start(n: number): Promise<Governance> {
    const t = makeGenesis({ validators: n, accounts: 1 });
    // Validators sign their votes as accounts: fund them.
    const funded = t.validatorKeys.map((k) => ({ address: k.address, balance: FUNDED_BALANCE, roles: [] }));
    const genesis: Genesis = { ...t.genesis, accounts: [...t.genesis.accounts, ...funded] };
    const dir = await tempDir();
    return new Governance(genesis, t.validatorKeys, t.accounts[0]!, await openChain(genesis, dir), dir);
  }

  async close(): Promise<void> {
    await this.open.close();
    await removeDir(this.dir);
  }

  tx(key: KeyPair, args: readonly Encodable[], kind = "validators.vote"): SignedTransaction {
    const id = toHex(key.address);
    const nonce = this.nonces.get(id) ?? 0;
    this.nonces.set(id, nonce + 1);
    return makeTx(this.genesis, key, kind, args, { nonce });
  }

  /** A transfer from the funded outsider, so that `to` can sign. */
  fund(to: KeyPair): SignedTransaction {
    return this.tx(this.outsider, transferArgs(to.address, 1_000_000n), "accounts.transfer");
  }

  /** A vote to add `target` (with its key) or to remove it. */
  vote(voter: KeyPair, target: KeyPair, add: boolean): SignedTransaction {
    return this.tx(voter, [target.address, add, add ? target.publicKey : null]);
  }

  /** Executes the next block and keeps its writes. */
  async block(txs: readonly SignedTransaction[]): Promise<Receipt[]> {
    this.height += 1;
    const env: BlockEnv = {
      chainId: this.genesis.chainId,
      height: this.height,
      timestamp: this.genesis.timestamp + this.height * 1000,
      proposer: this.validators[0]!.address,
      params: this.genesis.params,
    };
    const { receipts, changes } = await executeBlock(this.state, env, txs, this.registry);
    for (const c of changes) this.state.set(c.key, c.value);
    return receipts;
  }

  /** One block per transaction; the receipts in order. */
  async blocks(txs: readonly SignedTransaction[]): Promise<Receipt[]> {
    const receipts: Receipt[] = [];
    for (const tx of txs) receipts.push(...(await this.block([tx])));
    return receipts;
  }

  /** Addresses (hex) of the set in force at the next height. */
  async nextSet(): Promise<string[]> {
    return (await query(this.state, (s) => validatorSetAt(s, this.height + 1))).map((v) => toHex(v.address));
  }
}

/** Addresses (hex) of keys or validators, in order. */
const hexes = (items: readonly { readonly address: Uint8Array }[]): string[] => items.map((k) => toHex(k.address));
const codes = (receipts: readonly Receipt[]): string[] => receipts.map((r) => (r.status === "ok" ? "ok" : r.code));
const eventTypes = (r: Receipt): string[] => r.events.map((e) => e.type);
const attrs = (r: Receipt, type: string): Record<string, Encodable> => Object.fromEntries(r.events.find((e) => e.type === type)?.attributes ?? []);

describe("validators.vote: Clique voting (EIP-225) with changes in force two heights later", () => {
  let g: Governance | undefined;
  afterEach(async () => {
    await g?.close();
    g = undefined;
  });

  describe.each([1, 2, 3, 4, 5])("with %i validators", (n) => {
    const needed = Math.floor(n / 2) + 1;

    it(`adds a validator on the vote that makes ${needed} of ${n} (more than half), in force two heights later`, async () => {
      g = await Governance.start(n);
      const newcomer = generateKeyPair();
      const voters = g.validators.slice(0, needed);
      for (const voter of voters.slice(0, -1)) {
        const [r] = await g.block([g.vote(voter, newcomer, true)]);
        expect(eventTypes(r!)).toEqual(["validators.voted"]);
        expect(await query(g.state, pendingChanges)).toEqual([]);
      }
      const [decisive] = await g.block([g.vote(voters[needed - 1]!, newcomer, true)]);
      const h = g.height;
      expect(eventTypes(decisive!)).toEqual(["validators.voted", "validators.changed"]);
      expect(attrs(decisive!, "validators.voted")).toMatchObject({ votes: needed, validators: n });
      expect(attrs(decisive!, "validators.changed")).toEqual({ target: newcomer.address, add: true, effectiveHeight: h + 2 });
      expect(await query(g.state, openVotes)).toEqual([]);
      const before = hexes(g.validators);
      expect(hexes(await query(g.state, (s) => validatorSetAt(s, h)))).toEqual(before);
      expect(hexes(await query(g.state, (s) => validatorSetAt(s, h + 1)))).toEqual(before);
      expect(hexes(await query(g.state, (s) => validatorSetAt(s, h + 2)))).toEqual([...before, toHex(newcomer.address)]);
      expect(await query(g.state, (s) => validatorSetAt(s, h + 2))).toContainEqual(validator(newcomer.publicKey));
    });
  });

  describe.each([2, 3, 4, 5])("with %i validators", (n) => {
    const needed = Math.floor(n / 2) + 1;

    it(`removes a validator on the vote that makes ${needed} of ${n}, in force two heights later`, async () => {
      g = await Governance.start(n);
      const target = g.validators[n - 1]!;
      const receipts = await g.blocks(g.validators.slice(0, needed).map((v) => g!.vote(v, target, false)));
      expect(codes(receipts)).toEqual(Array(needed).fill("ok"));
      expect(receipts.map((r) => r.events.some((e) => e.type === "validators.changed"))).toEqual([...Array(needed - 1).fill(false), true]);
      const h = g.height;
      expect(attrs(receipts[needed - 1]!, "validators.changed")).toEqual({ target: target.address, add: false, effectiveHeight: h + 2 });
      expect(await g.nextSet()).toEqual(hexes(g.validators));
      expect(hexes(await query(g.state, (s) => validatorSetAt(s, h + 2)))).toEqual(hexes(g.validators.slice(0, -1)));
    });
  });

  it("a change decided in block h reaches the set through validatorSetAt at h + 2, and the stored set once a later vote folds it in", async () => {
    g = await Governance.start(1);
    const [a] = g.validators as [KeyPair];
    const b = generateKeyPair();
    await g.block([g.vote(a, b, true)]); // decided at height 1
    expect(await query(g.state, pendingChanges)).toEqual([{ effectiveHeight: 3, add: true, address: b.address, publicKey: b.publicKey }]);
    expect(await g.nextSet()).toEqual(hexes([a])); // height 2
    await g.block([g.fund(b)]); // height 2: no vote, nothing folded
    expect(await g.nextSet()).toEqual(hexes([a, b])); // height 3
    expect(hexes(await query(g.state, readValidatorSet))).toEqual(hexes([a]));
    // b votes at height 3: it is a validator there; its vote folds the change into the stored set.
    const c = generateKeyPair();
    await g.block([g.vote(b, c, true)]);
    expect(hexes(await query(g.state, readValidatorSet))).toEqual(hexes([a, b]));
    expect(await query(g.state, pendingChanges)).toEqual([]);
  });

  it("the same vote again is a no-op: no event, the votes unchanged", async () => {
    g = await Governance.start(3);
    const [a] = g.validators as [KeyPair];
    const x = generateKeyPair();
    await g.block([g.vote(a, x, true)]);
    const votes = await query(g.state, openVotes);
    const [again] = await g.block([g.vote(a, x, true)]);
    expect(again).toMatchObject({ status: "ok", code: "", events: [] });
    expect(await query(g.state, openVotes)).toEqual(votes);
    expect(votes).toEqual([{ target: x.address, add: true, publicKey: x.publicKey, voters: [a.address] }]);
    expect(await query(g.state, pendingChanges)).toEqual([]);
  });

  it("a repeated vote counts the tally again (as Clique recasts it): a proposal that a smaller set now carries passes", async () => {
    g = await Governance.start(4);
    const [a, b, c, d] = g.validators as [KeyPair, KeyPair, KeyPair, KeyPair];
    const x = generateKeyPair();
    await g.blocks([g.vote(a, x, true), g.vote(b, x, true)]); // 2 of 4: not more than half
    await g.blocks([g.vote(a, d, false), g.vote(b, d, false), g.vote(c, d, false)]); // d out from height 7
    await g.block([]);
    const [again] = await g.block([g.vote(a, x, true)]); // height 7: 2 of 3
    expect(eventTypes(again!)).toEqual(["validators.changed"]);
    expect(attrs(again!, "validators.changed")).toEqual({ target: x.address, add: true, effectiveHeight: 9 });
  });

  it("voting the other way replaces (withdraws) one's earlier vote on that target", async () => {
    g = await Governance.start(3);
    const [a, b, c] = g.validators as [KeyPair, KeyPair, KeyPair];
    const x = generateKeyPair();
    await g.block([g.vote(a, x, true)]);
    const [switched] = await g.block([g.vote(a, x, false)]);
    expect(switched).toMatchObject({ status: "ok", code: "" });
    expect(eventTypes(switched!)).toEqual(["validators.withdrawn"]);
    expect(attrs(switched!, "validators.withdrawn")).toEqual({ voter: a.address, target: x.address, add: true });
    expect(await query(g.state, openVotes)).toEqual([]);
    // a's vote no longer counts: b alone is 1 of 3, no change.
    const [rb] = await g.block([g.vote(b, x, true)]);
    expect(eventTypes(rb!)).toEqual(["validators.voted"]);
    // The same for a removal vote on a validator, switched to an addition.
    await g.block([g.vote(a, c, false)]);
    const [back] = await g.block([g.vote(a, c, true)]);
    expect(eventTypes(back!)).toEqual(["validators.withdrawn"]);
    expect((await query(g.state, openVotes)).map((p) => [toHex(p.target), p.add, p.voters.map(toHex)])).toEqual([[toHex(x.address), true, hexes([b])]]);
  });

  it("a vote the other way without an earlier vote is refused by the rule it breaks", async () => {
    g = await Governance.start(3);
    const [a, b] = g.validators as [KeyPair, KeyPair];
    const x = generateKeyPair();
    await g.block([g.vote(a, x, true)]);
    const [r] = await g.block([g.vote(b, x, false)]);
    expect(codes([r!])).toEqual([ValidatorErrorCode.NOT_A_VALIDATOR]);
    expect((await query(g.state, openVotes)).map((p) => p.voters.length)).toEqual([1]);
  });

  it("votes of a validator that is removed are discarded when its removal takes effect", async () => {
    g = await Governance.start(4);
    const [a, b, c, d] = g.validators as [KeyPair, KeyPair, KeyPair, KeyPair];
    const x = generateKeyPair();
    await g.block([g.vote(d, x, true)]); // height 1: d for x, 1 of 4
    await g.blocks([g.vote(a, d, false), g.vote(b, d, false), g.vote(c, d, false)]); // d's removal decided at 4, in force at 6
    const h = g.height;
    expect(h).toBe(4);
    // Before its removal takes effect, d's vote is open and counts.
    expect((await query(g.state, (s) => openVotes(s, h + 1))).map((p) => p.voters.length)).toEqual([1]);
    expect((await query(g.state, (s) => openVotes(s, h + 2))).map((p) => p.voters.length)).toEqual([]);
    await g.block([]); // height 5
    // Height 6: d is gone. a's vote for x makes 1 of 3 (with d's it would be 2 of 3 and pass).
    const [ra] = await g.block([g.vote(a, x, true)]);
    expect(g.height).toBe(6);
    expect(eventTypes(ra!)).toEqual(["validators.voted"]);
    expect(attrs(ra!, "validators.voted")).toMatchObject({ votes: 1, validators: 3 });
    expect(await query(g.state, openVotes)).toEqual([{ target: x.address, add: true, publicKey: x.publicKey, voters: [a.address] }]);
    // And d can no longer vote.
    const [rd] = await g.block([g.vote(d, x, true)]);
    expect(codes([rd!])).toEqual([ValidatorErrorCode.UNAUTHORISED]);
  });

  it("a validator whose removal is decided still votes, and counts, until it takes effect", async () => {
    g = await Governance.start(3);
    const [a, b, c] = g.validators as [KeyPair, KeyPair, KeyPair];
    const x = generateKeyPair();
    await g.blocks([g.vote(a, c, false), g.vote(b, c, false)]); // decided at 2, in force at 4
    const receipts = await g.blocks([g.vote(c, x, true), g.vote(a, x, true)]); // heights 3 and 4
    // At height 4 c is gone: a's vote is 1 of 2 (c's was discarded), no change.
    expect(receipts.map(eventTypes)).toEqual([["validators.voted"], ["validators.voted"]]);
    expect(attrs(receipts[0]!, "validators.voted")).toMatchObject({ votes: 1, validators: 3 });
    expect(attrs(receipts[1]!, "validators.voted")).toMatchObject({ votes: 1, validators: 2 });
  });

  it("UNAUTHORISED: only a current validator votes", async () => {
    g = await Governance.start(1);
    const [r] = await g.block([g.vote(g.outsider, generateKeyPair(), true)]);
    expect(codes([r!])).toEqual([ValidatorErrorCode.UNAUTHORISED]);
  });

  it("ALREADY_VALIDATOR: a vote to add a current validator, or one whose addition is decided", async () => {
    g = await Governance.start(2);
    const [a, b] = g.validators as [KeyPair, KeyPair];
    const x = generateKeyPair();
    const receipts = await g.blocks([g.vote(a, b, true), g.vote(a, x, true), g.vote(b, x, true), g.vote(a, x, true)]);
    expect(codes(receipts)).toEqual([ValidatorErrorCode.ALREADY_VALIDATOR, "ok", "ok", ValidatorErrorCode.ALREADY_VALIDATOR]);
    expect(await query(g.state, pendingChanges)).toHaveLength(1);
  });

  it("NOT_A_VALIDATOR: a vote to remove a non-validator, or one whose removal is decided", async () => {
    g = await Governance.start(3);
    const [a, b, c] = g.validators as [KeyPair, KeyPair, KeyPair];
    const receipts = await g.blocks([g.vote(a, generateKeyPair(), false), g.vote(a, c, false), g.vote(b, c, false), g.vote(a, c, false)]);
    expect(codes(receipts)).toEqual([ValidatorErrorCode.NOT_A_VALIDATOR, "ok", "ok", ValidatorErrorCode.NOT_A_VALIDATOR]);
    expect(await query(g.state, pendingChanges)).toHaveLength(1);
  });

  it("LAST_VALIDATOR: the only validator cannot be removed, nor the last one left once decided removals take effect", async () => {
    g = await Governance.start(1);
    const [a] = g.validators as [KeyPair];
    const [r] = await g.block([g.vote(a, a, false)]);
    expect(codes([r!])).toEqual([ValidatorErrorCode.LAST_VALIDATOR]);
    expect(await g.nextSet()).toEqual(hexes([a]));
    await g.close();

    g = await Governance.start(2);
    const [p, q] = g.validators as [KeyPair, KeyPair];
    const receipts = await g.blocks([g.vote(p, q, false), g.vote(q, q, false), g.vote(p, p, false)]);
    expect(codes(receipts)).toEqual(["ok", "ok", ValidatorErrorCode.LAST_VALIDATOR]);
    expect(hexes(await query(g.state, (s) => validatorSetAt(s, g!.height + 2)))).toEqual(hexes([p]));
  });

  it("INVALID_PUBLIC_KEY: the key of an addition must be the target's, and a secp256k1 point", async () => {
    g = await Governance.start(1);
    const [a] = g.validators as [KeyPair];
    const x = generateKeyPair();
    const notAPoint = new Uint8Array(33).fill(0xff);
    const receipts = await g.blocks([
      g.tx(a, [x.address, true, generateKeyPair().publicKey]),
      g.tx(a, [notAPoint.subarray(0, 20), true, notAPoint]),
      g.tx(a, [a.address, false, x.publicKey]),
    ]);
    expect(codes(receipts)).toEqual([ValidatorErrorCode.INVALID_PUBLIC_KEY, ValidatorErrorCode.INVALID_PUBLIC_KEY, ValidatorErrorCode.INVALID_PUBLIC_KEY]);
  });

  it("MALFORMED arguments make the block invalid: an addition without a key, wrong lengths, a missing field", async () => {
    g = await Governance.start(1);
    const [a] = g.validators as [KeyPair];
    const x = generateKeyPair();
    for (const args of [[x.address, true, null], [x.address.subarray(0, 19), false, null], [x.address, 1, null], [x.address, true]] as Encodable[][]) {
      const tx = makeTx(g.genesis, a, "validators.vote", args, { nonce: 0 });
      const err = (await g.block([tx]).catch((e: unknown) => e)) as AttestaError;
      expect([err.code, err.details?.code]).toEqual([BlockErrorCode.INVALID_TX, TxErrorCode.MALFORMED]);
      g.height -= 1;
    }
  });

  it("TOO_MANY_VOTES: a validator has at most MAX_OPEN_VOTES open votes", async () => {
    g = await Governance.start(3);
    const [a] = g.validators as [KeyPair];
    const targets = Array.from({ length: MAX_OPEN_VOTES + 1 }, () => generateKeyPair());
    const receipts = await g.block(targets.map((t) => g!.vote(a, t, true)));
    expect(codes(receipts)).toEqual([...Array(MAX_OPEN_VOTES).fill("ok"), ValidatorErrorCode.TOO_MANY_VOTES]);
    expect(await query(g.state, openVotes)).toHaveLength(MAX_OPEN_VOTES);
  });

  it("TOO_MANY_VALIDATORS: a full set takes no addition", async () => {
    const t = makeGenesis({ validators: MAX_VALIDATORS, accounts: 0 });
    const a = t.validatorKeys[0]!;
    const genesis: Genesis = { ...t.genesis, accounts: [{ address: a.address, balance: FUNDED_BALANCE, roles: [] }] };
    const dir = await tempDir();
    const open = await openChain(genesis, dir);
    try {
      const env: BlockEnv = { chainId: genesis.chainId, height: 1, timestamp: genesis.timestamp + 1000, proposer: a.address, params: genesis.params };
      const x = generateKeyPair();
      const tx = makeTx(genesis, a, "validators.vote", [x.address, true, x.publicKey], { nonce: 0 });
      const { receipts } = await executeBlock(open.chain.state, env, [tx], createRegistry());
      expect(codes(receipts)).toEqual([ValidatorErrorCode.TOO_MANY_VALIDATORS]);
    } finally {
      await open.close();
      await removeDir(dir);
    }
  });

  it("a failed vote reverts what it folded in too", async () => {
    g = await Governance.start(1);
    const [a] = g.validators as [KeyPair];
    const b = generateKeyPair();
    await g.block([g.vote(a, b, true)]);
    await g.block([]);
    const stored = await query(g.state, readValidatorSet);
    const [r] = await g.block([g.vote(a, a, true)]); // at height 3 the change would fold in, but the vote fails
    expect(r).toMatchObject({ status: "failed", code: ValidatorErrorCode.ALREADY_VALIDATOR, events: [] });
    expect(await query(g.state, readValidatorSet)).toEqual(stored);
    expect(await query(g.state, pendingChanges)).toHaveLength(1);
    expect(await g.nextSet()).toEqual(hexes([a, b]));
  });
});

describe("the chain follows the validator set in force at each height", () => {
  it("a single validator adds a second: the next block is still its own, the one after needs both, and headers commit to it", async () => {
    const t = makeGenesis({ validators: 1, accounts: 0 });
    const a = t.validatorKeys[0]!;
    const genesis: Genesis = { ...t.genesis, accounts: [{ address: a.address, balance: FUNDED_BALANCE, roles: [] }] };
    const dir = await tempDir();
    let open = await openChain(genesis, dir);
    try {
      const b = generateKeyPair();
      const vote = makeTx(genesis, a, "validators.vote", [b.address, true, b.publicKey], { nonce: 0 });
      const first = await open.chain.produceAndCommit(a, [vote], genesis.timestamp + 1000); // height 1: decided
      expect(codes(first.receipts)).toEqual(["ok"]);
      const one = [validator(a.publicKey)];
      const two = [validator(a.publicKey), validator(b.publicKey)];
      expect(first.block.header.nextValidatorsHash).toEqual(validatorSetHash(one));
      expect(open.chain.validators).toEqual(one);
      const second = await open.chain.produceAndCommit(a, [], genesis.timestamp + 2000); // height 2
      expect(second.block.header.validatorsHash).toEqual(validatorSetHash(one));
      expect(second.block.header.nextValidatorsHash).toEqual(validatorSetHash(two));
      expect(open.chain.validators).toEqual(two);
      await expect(open.chain.produceAndCommit(a, [], genesis.timestamp + 3000)).rejects.toBeInstanceOf(RangeError);
      // Reopened from disk, the chain finds the same set for its next height.
      await open.close();
      open = await openChain(genesis, dir);
      expect(open.chain.validators).toEqual(two);
    } finally {
      await open.close();
      await removeDir(dir);
    }
  });
});

describe("validators.evidence: equivocation jails the offender as proposer until a vote about it", () => {
  let g: Governance | undefined;
  afterEach(async () => {
    await g?.close();
    g = undefined;
  });

  const statement = (key: KeyPair, chainId: string, kind: StatementKind, height: number, round: number, fill: number): Statement => {
    const unsigned = { kind, height, round, validRound: -1, blockHash: new Uint8Array(32).fill(fill) };
    return { ...unsigned, signature: signPayload("secp256k1", key.secretKey, statementPayload(chainId, unsigned)) };
  };
  const evidenceTx = (gov: Governance, submitter: KeyPair, offender: KeyPair, a: Statement, b: Statement): SignedTransaction =>
    gov.tx(submitter, evidenceTuple({ offender: offender.address, a, b }), "validators.evidence");

  it("records two conflicting prevotes once, jails the offender, and the proposer schedule skips it", async () => {
    g = await Governance.start(4);
    const offender = g.validators[2]!;
    const { chainId } = g.genesis;
    const a = statement(offender, chainId, StatementKind.PREVOTE, 1, 0, 1);
    const b = statement(offender, chainId, StatementKind.PREVOTE, 1, 0, 2);
    const [ok] = await g.block([evidenceTx(g, g.outsider, offender, a, b)]);
    expect(codes([ok!])).toEqual(["ok"]);
    expect(attrs(ok!, "validators.equivocation")).toEqual({ offender: offender.address, kind: StatementKind.PREVOTE, height: 1, round: 0 });
    expect(hexes((await query(g.state, readJailed)).map((address) => ({ address })))).toEqual([toHex(offender.address)]);
    const set = await query(g.state, (s) => validatorSetAt(s, g!.height + 1));
    const jailed = await query(g.state, readJailed);
    const chosen = new Set(Array.from({ length: 12 }, (_, h) => proposerIndex(set, h, 0, jailed)));
    expect([...chosen].sort()).toEqual([0, 1, 3]);
    // The same offence again (even with other statements of that height and round) is refused.
    const c = statement(offender, chainId, StatementKind.PREVOTE, 1, 0, 3);
    expect(codes(await g.block([evidenceTx(g, g.outsider, offender, a, c)]))).toEqual([ValidatorErrorCode.DUPLICATE_EVIDENCE]);
  });

  it("refuses evidence that proves nothing", async () => {
    g = await Governance.start(4);
    const [v0, v1] = g.validators;
    const { chainId } = g.genesis;
    const same = statement(v1!, chainId, StatementKind.PRECOMMIT, 1, 0, 1);
    const cases: Array<[Statement, Statement, KeyPair]> = [
      [same, same, v1!], // no conflict
      [same, statement(v1!, chainId, StatementKind.PRECOMMIT, 1, 1, 2), v1!], // other round
      [same, statement(v0!, chainId, StatementKind.PRECOMMIT, 1, 0, 2), v1!], // other signer
      [statement(v1!, chainId, StatementKind.PREVOTE, 99, 0, 1), statement(v1!, chainId, StatementKind.PREVOTE, 99, 0, 2), v1!], // future height
      [statement(g.outsider, chainId, StatementKind.PREVOTE, 1, 0, 1), statement(g.outsider, chainId, StatementKind.PREVOTE, 1, 0, 2), g.outsider], // not a validator
      [statement(v1!, "another-chain", StatementKind.PREVOTE, 1, 0, 1), statement(v1!, "another-chain", StatementKind.PREVOTE, 1, 0, 2), v1!], // other chain
    ];
    for (const [a, b, offender] of cases) {
      expect(codes(await g.block([evidenceTx(g, g.outsider, offender, a, b)]))).toEqual([ValidatorErrorCode.INVALID_EVIDENCE]);
    }
    expect(await query(g.state, readJailed)).toEqual([]);
  });

  it("a decided vote to add the jailed validator again pardons it", async () => {
    g = await Governance.start(3);
    const offender = g.validators[2]!;
    const { chainId } = g.genesis;
    await g.block([evidenceTx(g, g.validators[0]!, offender, statement(offender, chainId, StatementKind.PROPOSAL, 1, 0, 1), statement(offender, chainId, StatementKind.PROPOSAL, 1, 0, 2))]);
    expect(await query(g.state, readJailed)).toHaveLength(1);
    const [first] = await g.block([g.vote(g.validators[0]!, offender, true)]);
    expect(eventTypes(first!)).toEqual(["validators.voted"]);
    const [decisive] = await g.block([g.vote(g.validators[1]!, offender, true)]);
    expect(eventTypes(decisive!)).toEqual(["validators.voted", "validators.released", "validators.changed"]);
    expect(await query(g.state, readJailed)).toEqual([]);
    expect(hexes(await query(g.state, (s) => validatorSetAt(s, g!.height + 3)))).toEqual(hexes(g.validators));
  });
});
