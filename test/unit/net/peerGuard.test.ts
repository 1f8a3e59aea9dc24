import { describe, expect, it } from "vitest";
import { Fault, PeerGuard } from "../../../src/net/peerGuard.js";

function clock(): { now: () => number; advance: (ms: number) => void } {
  let t = 1_000_000;
  return { now: () => t, advance: (ms) => void (t += ms) };
}

describe("PeerGuard", () => {
  it("bans a peer at 100 points of faults, for banMs, and only that peer", () => {
    const c = clock();
    const guard = new PeerGuard({ banMs: 60_000, now: c.now });
    for (let i = 0; i < 3; i++) expect(guard.fault("bad", Fault.INVALID)).toBe(false);
    expect(guard.isBanned("bad")).toBe(false);
    expect(guard.fault("bad", Fault.INVALID)).toBe(true);
    expect(guard.isBanned("bad")).toBe(true);
    expect(guard.isBanned("good")).toBe(false);
    expect(guard.banned).toBe(1);
    c.advance(59_999);
    expect(guard.isBanned("bad")).toBe(true);
    c.advance(2);
    expect(guard.isBanned("bad")).toBe(false);
    expect(guard.banned).toBe(0);
  });

  it("forgives with time: faults spread out never reach the threshold", () => {
    const c = clock();
    const guard = new PeerGuard({ banMs: 60_000, recoveryPerSecond: 1, now: c.now });
    for (let i = 0; i < 20; i++) {
      expect(guard.fault("flaky", Fault.INVALID)).toBe(false);
      c.advance(30_000);
    }
    expect(guard.points("flaky")).toBe(0);
  });

  it("rate-limits requests per peer with a burst, refilling over time", () => {
    const c = clock();
    const guard = new PeerGuard({ banMs: 60_000, requestsPerSecond: 10, requestBurst: 5, now: c.now });
    for (let i = 0; i < 5; i++) expect(guard.allowRequest("p")).toBe(true);
    expect(guard.allowRequest("p")).toBe(false);
    expect(guard.allowRequest("q")).toBe(true);
    c.advance(100);
    expect(guard.allowRequest("p")).toBe(true);
    expect(guard.allowRequest("p")).toBe(false);
    expect(guard.stats.rateLimited).toBe(2);
  });
});
