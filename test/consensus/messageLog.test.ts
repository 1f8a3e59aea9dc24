import { describe, expect, it } from "vitest";
import { HeightLog } from "../../src/consensus/tendermint/heightLog.js";
import { NextHeightBuffer } from "../../src/consensus/tendermint/nextHeightBuffer.js";
import { VoteTally } from "../../src/consensus/tendermint/voteTally.js";
import { precommit, prevote, proposal } from "./machineHarness.js";

// The bounds that keep a Byzantine validator from growing the machine's memory.

function roundsHeld(log: HeightLog): number[] {
  return [...log.entries()].map(([round]) => round).sort((a, b) => a - b);
}

describe("HeightLog", () => {
  it("holds at most two rounds above the current one per validator, the highest it sent", () => {
    const log = new HeightLog(2, 2);
    for (let round = 1; round <= 1_000; round++) log.add(prevote(round, null, 0), 0);
    expect(roundsHeld(log)).toEqual([999, 1_000]);
    expect(log.add(prevote(10, null, 0), 0)).toBe(false);
    expect(roundsHeld(log)).toEqual([999, 1_000]);
  });

  it("counts rounds ahead per validator: one validator's garbage does not push out another's", () => {
    const log = new HeightLog(2, 2);
    log.add(prevote(3, null, 1), 0);
    for (let round = 1; round <= 100; round++) log.add(prevote(round, null, 0), 0);
    expect(log.round(3)?.senders).toEqual(new Set([1]));
  });

  it("stops counting rounds against the bound once the current round reaches them", () => {
    const log = new HeightLog(2, 2);
    log.add(prevote(5, null, 0), 0);
    log.add(prevote(6, null, 0), 0);
    log.advanceTo(5);
    expect(log.add(prevote(7, null, 0), 5)).toBe(true);
    expect(roundsHeld(log)).toEqual([5, 6, 7]);
  });

  it("keeps every round at or below the current one", () => {
    const log = new HeightLog(2, 2);
    for (let round = 0; round <= 50; round++) log.add(precommit(round, null, 0), 50);
    expect(roundsHeld(log)).toHaveLength(51);
  });

  it("keeps the first proposal, supported ones, and a single unsupported spare", () => {
    const log = new HeightLog(2, 2);
    log.add(proposal(0, "first", 0), 0);
    for (const value of ["b", "c", "d"]) log.add(proposal(0, value, 0), 0);
    expect([...log.round(0)!.proposals.keys()]).toEqual(["first", "d"]);
    log.add(prevote(0, "e", 1), 0);
    log.add(prevote(0, "e", 2), 0);
    log.add(proposal(0, "e", 0), 0);
    log.add(proposal(0, "f", 0), 0);
    expect([...log.round(0)!.proposals.keys()].sort()).toEqual(["e", "f", "first"]);
    expect(log.round(0)!.proposal?.value).toBe("first");
  });

  it("adds nothing for a repeated message", () => {
    const log = new HeightLog(2, 2);
    expect(log.add(prevote(0, "v", 1), 0)).toBe(true);
    expect(log.add(prevote(0, "v", 1), 0)).toBe(false);
    expect(log.add(proposal(0, "v", 0), 0)).toBe(true);
    expect(log.add(proposal(0, "v", 0), 0)).toBe(false);
  });
});

describe("VoteTally", () => {
  it("counts each validator once per value and once in the totals", () => {
    const tally = new VoteTally(2);
    tally.add(0, "v");
    tally.add(0, "v");
    tally.add(0, null);
    expect(tally.voters).toBe(1);
    expect(tally.count("v")).toBe(1);
  });

  it("keeps one unsupported conflicting vote per validator, the latest", () => {
    const tally = new VoteTally(2);
    tally.add(0, "first");
    for (const value of ["b", "c", "d"]) tally.add(0, value);
    expect(["first", "b", "c", "d"].map((v) => tally.count(v))).toEqual([1, 0, 0, 1]);
  });

  it("keeps a conflicting vote for a value f+1 others voted for", () => {
    const tally = new VoteTally(2);
    tally.add(1, "e");
    tally.add(2, "e");
    tally.add(0, "first");
    tally.add(0, "e");
    tally.add(0, "x");
    tally.add(0, "y");
    expect(tally.count("e")).toBe(3);
    expect(tally.valueWith(3)).toBe("e");
    expect(tally.count("x")).toBe(0);
  });

  it("forgets all of a validator's votes", () => {
    const tally = new VoteTally(2);
    tally.add(0, "v");
    tally.add(0, "w");
    tally.remove(0);
    expect([tally.voters, tally.count("v"), tally.count("w")]).toEqual([0, 0, 0]);
  });
});

describe("NextHeightBuffer", () => {
  it("keeps per validator and kind the two highest rounds, and only validators in range", () => {
    const buffer = new NextHeightBuffer(2);
    for (let round = 0; round < 100; round++) buffer.add(prevote(round, null, 0, 2), 4);
    buffer.add(prevote(0, null, 0, 2), 4);
    buffer.add(precommit(0, null, 0, 2), 4);
    buffer.add(prevote(0, null, 4, 2), 4);
    buffer.add(prevote(0, null, -1, 2), 4);
    expect(buffer.drain().map((m) => `${m.kind}@${m.round}`)).toEqual(["precommit@0", "prevote@98", "prevote@99"]);
    expect(buffer.drain()).toEqual([]);
  });
});
