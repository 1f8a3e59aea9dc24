import { describe, expect, it } from "vitest";
import { Step, type ConsensusMessage } from "../../src/consensus/tendermint/types.js";
import { Driver, heightConfig, ofKind, precommit, prevote, proposal, sent, votes } from "./machineHarness.js";

// Proposer of round r is r mod n (machineHarness). With n = 4 and self = 3 we propose in round 3 only.

/** n = 4, we are validator 3, and we prevoted `value` proposed by 0 in round 0. */
function prevotedInRound0(value = "v"): Driver {
  const d = new Driver();
  d.start(heightConfig(4, 3));
  d.messages(proposal(0, value, 0));
  d.validated(value);
  return d;
}

/** n = 4, validator 3, locked on `value` in round 0 (it precommitted it). */
function lockedInRound0(value = "v"): Driver {
  const d = prevotedInRound0(value);
  d.messages(...votes(prevote, 0, value, [0, 1]));
  expect(d.machine.snapshot()).toMatchObject({ lockedValue: value, lockedRound: 0, step: Step.PRECOMMIT });
  return d;
}

describe("ConsensusMachine: one validator", () => {
  it("decides its own block in one handle chain, without validating it", () => {
    const d = new Driver();
    const start = d.start(heightConfig(1, 0));
    expect(ofKind(start, "getValue")).toEqual([{ kind: "getValue", height: 1, round: 0 }]);
    const out = d.value("v");
    expect(sent(out).map((m) => m.kind)).toEqual(["proposal", "prevote", "precommit"]);
    expect(ofKind(out, "decide")).toEqual([{ kind: "decide", height: 1, round: 0, value: "v" }]);
    expect(ofKind(out, "validate")).toEqual([]);
  });

  it("decides once per height, then stays idle until the next height starts", () => {
    const d = new Driver();
    d.start(heightConfig(1, 0));
    d.value("v");
    expect(d.messages(proposal(0, "v", 0), prevote(0, "v", 0), precommit(0, "v", 0))).toEqual([]);
    expect([...d.timeout("propose"), ...d.timeout("prevote"), ...d.timeout("precommit")]).toEqual([]);
    const next = d.start(heightConfig(1, 0, 2));
    expect(ofKind(next, "getValue")).toEqual([{ kind: "getValue", height: 2, round: 0 }]);
  });

  it("ignores a value for another round or height", () => {
    const d = new Driver();
    d.start(heightConfig(1, 0));
    expect(d.value("v", 1)).toEqual([]);
    expect(d.value("v", 0, 2)).toEqual([]);
    expect(sent(d.value("v", 0))).toHaveLength(3);
  });
});

describe("ConsensusMachine: validation", () => {
  it("asks to validate a proposal and prevotes only when the answer comes", () => {
    const d = new Driver();
    d.start(heightConfig(4, 3));
    const out = d.messages(proposal(0, "v", 0));
    expect(out).toEqual([{ kind: "validate", value: "v" }]);
    expect(sent(d.validated("v"))).toEqual([prevote(0, "v", 3)]);
    expect(d.machine.step).toBe(Step.PREVOTE);
  });

  it("prevotes nil for an invalid proposal (line 22)", () => {
    const d = new Driver();
    d.start(heightConfig(4, 3));
    d.messages(proposal(0, "bad", 0));
    expect(sent(d.validated("bad", false))).toEqual([prevote(0, null, 3)]);
  });

  it("asks once per value per height", () => {
    const d = prevotedInRound0("v");
    d.timeout("prevote");
    d.timeout("precommit");
    const out = d.messages(proposal(1, "v", 1));
    expect(ofKind(out, "validate")).toEqual([]);
    expect(sent(out)).toEqual([prevote(1, "v", 3)]);
  });

  it("does not decide a value whose validation is pending or failed", () => {
    const d = new Driver();
    d.start(heightConfig(4, 3));
    d.messages(proposal(0, "v", 0));
    expect(ofKind(d.messages(...votes(precommit, 0, "v", [0, 1, 2])), "decide")).toEqual([]);
    expect(ofKind(d.validated("v", false), "decide")).toEqual([]);
  });

  it("decides once the pending validation succeeds (line 49)", () => {
    const d = new Driver();
    d.start(heightConfig(4, 3));
    d.messages(proposal(0, "v", 0), ...votes(precommit, 0, "v", [0, 1, 2]));
    expect(ofKind(d.validated("v"), "decide")).toEqual([{ kind: "decide", height: 1, round: 0, value: "v" }]);
  });
});

describe("ConsensusMachine: locking", () => {
  it("locks on a value with a quorum of prevotes and precommits it (line 36)", () => {
    const d = prevotedInRound0("v");
    const out = d.messages(prevote(0, "v", 0), prevote(0, "v", 1));
    expect(sent(out)).toEqual([precommit(0, "v", 3)]);
    expect(d.machine.snapshot()).toEqual({ height: 1, round: 0, step: Step.PRECOMMIT, lockedValue: "v", lockedRound: 0, validValue: "v", validRound: 0 });
  });

  it("prevotes nil for another value in a later round while locked", () => {
    const d = lockedInRound0("v");
    d.timeout("precommit");
    d.messages(proposal(1, "w", 1));
    expect(sent(d.validated("w"))).toEqual([prevote(1, null, 3)]);
  });

  it("prevotes another value whose proposal carries validRound >= lockedRound with a quorum of prevotes (line 28)", () => {
    const d = lockedInRound0("v");
    d.timeout("precommit");
    d.messages(proposal(1, "w", 1));
    d.validated("w"); // prevote nil: locked on v
    d.timeout("prevote");
    d.timeout("precommit");
    expect(d.machine.round).toBe(2);
    // The proposal claims validRound 1; until the prevotes of round 1 are there, wait.
    expect(sent(d.messages(proposal(2, "w", 2, 1)))).toEqual([]);
    expect(sent(d.messages(prevote(1, "w", 0), prevote(1, "w", 1)))).toEqual([]);
    expect(sent(d.messages(prevote(1, "w", 2)))).toEqual([prevote(2, "w", 3)]);
  });

  it("keeps the lock against a proposal whose validRound is below lockedRound", () => {
    const d = new Driver();
    d.start(heightConfig(4, 3));
    d.messages(proposal(0, "w", 0));
    d.validated("w"); // prevote w in round 0; the others' prevotes come later
    d.timeout("prevote");
    d.timeout("precommit");
    d.messages(proposal(1, "v", 1));
    d.validated("v");
    d.messages(prevote(1, "v", 0), prevote(1, "v", 1)); // locked on v in round 1
    expect(d.machine.snapshot()).toMatchObject({ lockedValue: "v", lockedRound: 1 });
    d.timeout("precommit");
    d.messages(prevote(0, "w", 0), prevote(0, "w", 1)); // a quorum for w in round 0, now complete
    expect(sent(d.messages(proposal(2, "w", 2, 0)))).toEqual([prevote(2, null, 3)]);
  });

  it("records validValue without relocking when the quorum comes after its precommit (line 36, step precommit)", () => {
    const d = prevotedInRound0("v");
    d.timeout("prevote"); // precommit nil
    const out = d.messages(prevote(0, "v", 0), prevote(0, "v", 1));
    expect(sent(out)).toEqual([]);
    expect(d.machine.snapshot()).toMatchObject({ lockedValue: null, lockedRound: -1, validValue: "v", validRound: 0 });
  });

  it("proposes its valid value with its validRound when it is the proposer again", () => {
    const d = lockedInRound0("v");
    const out = d.messages(prevote(3, null, 0), prevote(3, null, 1)); // f+1 in round 3: skip there
    expect(d.machine.round).toBe(3);
    expect(sent(out)[0]).toEqual(proposal(3, "v", 3, 0));
    expect(ofKind(out, "getValue")).toEqual([]);
  });

  it("precommits nil on a quorum of nil prevotes (line 44)", () => {
    const d = new Driver();
    d.start(heightConfig(4, 3));
    d.timeout("propose");
    expect(sent(d.messages(prevote(0, null, 0), prevote(0, null, 1)))).toEqual([precommit(0, null, 3)]);
  });
});

describe("ConsensusMachine: rounds and timeouts", () => {
  it("skips to a higher round on f+1 validators with messages there (line 55), not on fewer", () => {
    const d = new Driver();
    d.start(heightConfig(4, 3));
    d.messages(prevote(3, null, 0), precommit(3, null, 0));
    expect(d.machine.round).toBe(0);
    const out = d.messages(prevote(3, null, 1));
    expect(d.machine.round).toBe(3);
    expect(ofKind(out, "getValue")).toEqual([{ kind: "getValue", height: 1, round: 3 }]);
  });

  it("derives f+1 from the quorum: 3 of 7", () => {
    const d = new Driver();
    d.start(heightConfig(7, 6));
    d.messages(prevote(2, null, 0), prevote(2, null, 1));
    expect(d.machine.round).toBe(0);
    d.messages(proposal(2, "x", 2));
    expect(d.machine.round).toBe(2);
  });

  it("grows every timeout with the round", () => {
    const d = new Driver();
    expect(ofKind(d.start(heightConfig(4, 3)), "schedule")).toEqual([{ kind: "schedule", step: "propose", height: 1, round: 0, delayMs: 100 }]);
    const out = d.messages(proposal(2, "p", 2), prevote(2, "x", 0));
    expect(ofKind(out, "schedule")).toEqual([{ kind: "schedule", step: "propose", height: 1, round: 2, delayMs: 100 + 2 * 10 }]);
  });

  it("schedules OnTimeoutPrevote and OnTimeoutPrecommit on 2f+1 votes of any value, longer in later rounds (lines 34, 47)", () => {
    const d = new Driver();
    d.start(heightConfig(4, 3));
    d.messages(proposal(2, "p", 2), prevote(2, "x", 0)); // round 2
    expect(sent(d.timeout("propose"))).toEqual([prevote(2, null, 3)]);
    expect(ofKind(d.messages(prevote(2, "y", 2)), "schedule")).toEqual([{ kind: "schedule", step: "prevote", height: 1, round: 2, delayMs: 50 + 2 * 10 }]);
    expect(sent(d.timeout("prevote"))).toEqual([precommit(2, null, 3)]);
    const out = d.messages(precommit(2, "x", 0), precommit(2, null, 1));
    expect(ofKind(out, "schedule")).toEqual([{ kind: "schedule", step: "precommit", height: 1, round: 2, delayMs: 60 + 2 * 10 }]);
    d.timeout("precommit");
    expect(d.machine.round).toBe(3);
  });

  it("ignores timeouts of another round or height", () => {
    const d = new Driver();
    d.start(heightConfig(4, 3));
    expect(d.timeout("propose", 1)).toEqual([]);
    expect(d.timeout("precommit", 0, 2)).toEqual([]);
    expect(d.machine.round).toBe(0);
  });
});

describe("ConsensusMachine: duplicates, equivocation and garbage", () => {
  it("counts a repeated vote once, and its own echoed vote once", () => {
    const d = prevotedInRound0("v");
    expect(d.messages(prevote(0, "v", 0), prevote(0, "v", 0), prevote(0, "v", 3), prevote(0, "v", 0))).toEqual([]);
    expect(sent(d.messages(prevote(0, "v", 1)))).toEqual([precommit(0, "v", 3)]);
  });

  it("counts an equivocator once in the totals (2f+1 of anything)", () => {
    const d = prevotedInRound0("v");
    expect(ofKind(d.messages(prevote(0, null, 0), prevote(0, "w", 0)), "schedule")).toEqual([]);
    expect(ofKind(d.messages(prevote(0, "w", 1)), "schedule")).toHaveLength(1);
  });

  it("counts an equivocator's vote for a value with the others for that value, as the paper does", () => {
    const d = prevotedInRound0("v");
    d.messages(prevote(0, "x", 1), prevote(0, "v", 1)); // 1 voted x first, then v
    expect(sent(d.messages(prevote(0, "v", 2)))).toEqual([precommit(0, "v", 3)]);
  });

  it("answers the first proposal, yet decides another one from the same proposer that a quorum precommitted", () => {
    const d = new Driver();
    d.start(heightConfig(4, 3));
    d.messages(proposal(0, "a", 0), proposal(0, "b", 0));
    expect(sent(d.validated("a"))).toEqual([prevote(0, "a", 3)]);
    d.messages(...votes(precommit, 0, "b", [0, 1, 2]));
    expect(ofKind(d.validated("b"), "decide")).toEqual([{ kind: "decide", height: 1, round: 0, value: "b" }]);
  });

  it("ignores messages out of range, of other heights, of the wrong proposer, or malformed", () => {
    const d = new Driver();
    d.start(heightConfig(4, 3));
    const garbage = [
      prevote(0, "v", 4),
      prevote(0, "v", -1),
      prevote(0, "v", 1.5),
      prevote(-1, "v", 0),
      prevote(0.5, "v", 0),
      prevote(Number.NaN, "v", 0),
      prevote(0, "v", 0, 7),
      prevote(0, "v", 0, 0),
      proposal(0, "w", 1), // round 0 is validator 0's
      proposal(1, "w", 1, 1), // validRound must be below the round
      proposal(0, "", 0),
      prevote(0, "", 1),
      { kind: "bogus", height: 1, round: 0, value: "v", from: 0 },
      null,
      ...votes(prevote, 5, null, [4, 9, -2]),
    ] as unknown as ConsensusMessage[];
    expect(d.messages(...garbage)).toEqual([]);
    expect(d.machine.snapshot()).toEqual({ height: 1, round: 0, step: Step.PROPOSE, lockedValue: null, lockedRound: -1, validValue: null, validRound: -1 });
    // Nothing above was counted: the real votes alone decide whether a quorum is there.
    d.messages(proposal(0, "v", 0));
    d.validated("v");
    expect(sent(d.messages(prevote(0, "v", 0)))).toEqual([]);
  });

  it("keeps a garbage-spraying validator's far rounds from causing a skip or piling up", () => {
    const d = new Driver();
    d.start(heightConfig(4, 3));
    for (let round = 10; round < 200; round++) d.messages(prevote(round, null, 0));
    d.messages(prevote(10, null, 1)); // validator 0 kept only its two highest rounds, not round 10
    expect(d.machine.round).toBe(0);
    d.messages(prevote(199, null, 1));
    expect(d.machine.round).toBe(199);
  });
});

describe("ConsensusMachine: heights and restarts", () => {
  it("buffers the next height's messages and replays them when it starts", () => {
    const d = lockedInRound0("v");
    d.messages(proposal(0, "n", 0, -1, 2), prevote(0, "n", 0, 2), prevote(0, "n", 1, 2), prevote(0, null, 0, 3));
    expect(ofKind(d.messages(...votes(precommit, 0, "v", [0, 1])), "decide")).toHaveLength(1);
    const out = d.start(heightConfig(4, 3, 2));
    expect(ofKind(out, "validate")).toEqual([{ kind: "validate", value: "n" }]);
    expect(sent(d.validated("n"))).toEqual([prevote(0, "n", 3, 2), precommit(0, "n", 3, 2)]);
  });

  it("restores round, step and lock from a snapshot, so a restarted validator never unlocks", () => {
    const before = lockedInRound0("v");
    const snapshot = before.machine.snapshot();
    const d = new Driver();
    expect(sent(d.start(heightConfig(4, 3), snapshot))).toEqual([]);
    expect(d.machine.snapshot()).toEqual(snapshot);
    d.timeout("precommit");
    d.messages(proposal(1, "w", 1));
    expect(sent(d.validated("w"))).toEqual([prevote(1, null, 3)]);
  });

  it("restored as proposer in step propose, proposes its valid value again (the same message it signed)", () => {
    const d = new Driver();
    const out = d.start(heightConfig(4, 3), { height: 1, round: 3, step: Step.PROPOSE, lockedValue: "v", lockedRound: 2, validValue: "v", validRound: 2 });
    expect(sent(out)).toEqual([proposal(3, "v", 3, 2)]);
  });

  it("ignores a snapshot of another height", () => {
    const d = new Driver();
    d.start(heightConfig(4, 3, 2), { height: 1, round: 5, step: Step.PRECOMMIT, lockedValue: "v", lockedRound: 4, validValue: "v", validRound: 4 });
    expect(d.machine.snapshot()).toEqual({ height: 2, round: 0, step: Step.PROPOSE, lockedValue: null, lockedRound: -1, validValue: null, validRound: -1 });
  });

  it("a non-validator never broadcasts, yet decides", () => {
    const d = new Driver();
    const out = [
      ...d.start(heightConfig(4, null)),
      ...d.messages(proposal(0, "v", 0)),
      ...d.validated("v"),
      ...d.messages(...votes(prevote, 0, "v", [0, 1, 2]), ...votes(precommit, 0, "v", [0, 1, 2])),
      ...d.timeout("propose"),
    ];
    expect(sent(out)).toEqual([]);
    expect(ofKind(out, "decide")).toEqual([{ kind: "decide", height: 1, round: 0, value: "v" }]);
  });

  it("refuses a bad height configuration as a caller's bug", () => {
    const d = new Driver();
    expect(() => d.start(heightConfig(0, null))).toThrow(RangeError);
    expect(() => d.start(heightConfig(4, 4))).toThrow(RangeError);
    expect(() => d.start(heightConfig(4, 0, -1))).toThrow(RangeError);
  });
});
