/**
 * How this node judges its peers, on top of gossipsub's own scores: each fault a peer commits
 * (a message that does not decode or verify, a malformed or oversized request, asking too
 * often) costs points; at the threshold the peer is disconnected and refused for `banMs`.
 * Scores recover with time, so a peer that erred once is not punished forever. Our own
 * overload (a full mempool, a busy validator) is never counted against a peer.
 */
export interface PeerGuardOptions {
  /** How long a banned peer is refused. */
  readonly banMs: number;
  /** Points at which a peer is banned. */
  readonly banAt?: number;
  /** Points forgiven per second. */
  readonly recoveryPerSecond?: number;
  /** Requests per second a peer may make, and the burst it may save up. */
  readonly requestsPerSecond?: number;
  readonly requestBurst?: number;
  readonly now?: () => number;
}

/** What a fault costs. */
export const Fault = {
  /** A gossip message or request that does not decode or verify. */
  INVALID: 25,
  /** A request past its size cap or out of range. */
  BAD_REQUEST: 25,
  /** A request over the rate limit. */
  RATE_LIMITED: 5,
} as const;

interface PeerRecord {
  points: number;
  at: number;
  tokens: number;
  tokensAt: number;
}

/** Peers are tracked up to this many at once (the least recently seen are forgotten first). */
const MAX_TRACKED = 4096;

export class PeerGuard {
  private readonly peers = new Map<string, PeerRecord>();
  private readonly bans = new Map<string, number>();
  private readonly banAt: number;
  private readonly recovery: number;
  private readonly rate: number;
  private readonly burst: number;
  private readonly now: () => number;
  /** Counters for metrics. */
  readonly stats = { faults: 0, bans: 0, rateLimited: 0 };

  constructor(private readonly options: PeerGuardOptions) {
    this.banAt = options.banAt ?? 100;
    this.recovery = options.recoveryPerSecond ?? 1;
    this.rate = options.requestsPerSecond ?? 20;
    this.burst = options.requestBurst ?? 60;
    this.now = options.now ?? Date.now;
  }

  private record(peer: string): PeerRecord {
    const now = this.now();
    let r = this.peers.get(peer);
    if (r === undefined) {
      if (this.peers.size >= MAX_TRACKED) {
        const oldest = this.peers.keys().next().value;
        if (oldest !== undefined) this.peers.delete(oldest);
      }
      r = { points: 0, at: now, tokens: this.burst, tokensAt: now };
    } else {
      this.peers.delete(peer); // re-inserted last: the map stays in order of use
      r.points = Math.max(0, r.points - ((now - r.at) / 1000) * this.recovery);
      r.at = now;
    }
    this.peers.set(peer, r);
    return r;
  }

  /** Counts a fault; true when it gets the peer banned (the caller hangs up). */
  fault(peer: string, points: number): boolean {
    this.stats.faults++;
    const r = this.record(peer);
    r.points += points;
    if (r.points < this.banAt || this.isBanned(peer)) return false;
    this.ban(peer);
    return true;
  }

  ban(peer: string): void {
    this.stats.bans++;
    this.bans.set(peer, this.now() + this.options.banMs);
    this.peers.delete(peer);
  }

  isBanned(peer: string): boolean {
    const until = this.bans.get(peer);
    if (until === undefined) return false;
    if (until > this.now()) return true;
    this.bans.delete(peer);
    return false;
  }

  /** Takes one request token; false (and a small fault) when the peer asks too often. */
  allowRequest(peer: string): boolean {
    const r = this.record(peer);
    const now = this.now();
    r.tokens = Math.min(this.burst, r.tokens + ((now - r.tokensAt) / 1000) * this.rate);
    r.tokensAt = now;
    if (r.tokens >= 1) {
      r.tokens -= 1;
      return true;
    }
    this.stats.rateLimited++;
    return false;
  }

  /** Peers banned now. */
  get banned(): number {
    const now = this.now();
    let n = 0;
    for (const until of this.bans.values()) if (until > now) n++;
    return n;
  }

  /** The peer's fault points now (0 for a peer with none). */
  points(peer: string): number {
    return this.peers.has(peer) ? this.record(peer).points : 0;
  }
}
