/**
 * How consensus messages travel between validators. Messages are opaque bytes (the encoded
 * `WireMessage` of ledger/consensusMessages.ts), so every transport carries the same format
 * and a receiver always decodes strictly. The libp2p implementation lives in src/net/.
 */
/**
 * What a receiver makes of a message, for a gossip network's validation: `accept` (new and
 * valid: relay it), `ignore` (known, stale or not for us: drop it, no fault), `reject` (does
 * not decode or verify: drop it, and the sender is at fault).
 */
export type MessageVerdict = "accept" | "ignore" | "reject";

export interface ConsensusTransport {
  /** This endpoint's peer id. */
  readonly id: string;
  /** Sends to every connected peer (best effort: a message may be lost). */
  broadcast(message: Uint8Array): void;
  /** Sends to one peer (best effort). */
  send(peer: string, message: Uint8Array): void;
  /** Sets the receiver of messages from other peers. */
  onMessage(handler: (message: Uint8Array, from: string) => MessageVerdict): void;
  close(): void;
}

export interface MemoryNetworkOptions {
  /** One-way delay of every message, in ms. */
  readonly delayMs?: number;
}

/**
 * An in-process network for tests and benchmarks: every joined endpoint reaches every other
 * after `delayMs`. Links can be cut (`disconnect`) and healed; closed endpoints receive nothing.
 */
export class MemoryNetwork {
  private readonly endpoints = new Map<string, MemoryTransport>();
  private readonly cut = new Set<string>();
  /** Messages sent, for benchmarks. */
  sent = 0;
  private readonly observers: Array<(from: string, message: Uint8Array) => void> = [];

  constructor(private readonly options: MemoryNetworkOptions = {}) {}

  join(id: string): MemoryTransport {
    const endpoint = new MemoryTransport(id, this);
    this.endpoints.set(id, endpoint);
    return endpoint;
  }

  /** Sees every message sent on the network (for tests that audit what validators signed). */
  observe(observer: (from: string, message: Uint8Array) => void): void {
    this.observers.push(observer);
  }

  /** Drops every message between `a` and `b`, both ways, until `connect`. */
  disconnect(a: string, b: string): void {
    this.cut.add(`${a}|${b}`).add(`${b}|${a}`);
  }

  connect(a: string, b: string): void {
    this.cut.delete(`${a}|${b}`);
    this.cut.delete(`${b}|${a}`);
  }

  /** @internal */
  deliver(from: string, to: string, message: Uint8Array): void {
    if (from === to) return;
    for (const observe of this.observers) observe(from, message);
    if (this.cut.has(`${from}|${to}`)) return;
    const target = this.endpoints.get(to);
    if (target === undefined) return;
    this.sent++;
    const delay = this.options.delayMs ?? 0;
    setTimeout(() => {
      if (!this.cut.has(`${from}|${to}`)) target.receive(message, from);
    }, delay).unref?.();
  }

  /** @internal */
  peersOf(id: string): string[] {
    return [...this.endpoints.keys()].filter((p) => p !== id);
  }

  /** @internal */
  leave(endpoint: MemoryTransport): void {
    if (this.endpoints.get(endpoint.id) === endpoint) this.endpoints.delete(endpoint.id);
  }
}

export class MemoryTransport implements ConsensusTransport {
  private handler: ((message: Uint8Array, from: string) => MessageVerdict) | undefined;
  private closed = false;

  constructor(readonly id: string, private readonly network: MemoryNetwork) {}

  broadcast(message: Uint8Array): void {
    if (this.closed) return;
    for (const peer of this.network.peersOf(this.id)) this.network.deliver(this.id, peer, message);
  }

  send(peer: string, message: Uint8Array): void {
    if (!this.closed) this.network.deliver(this.id, peer, message);
  }

  onMessage(handler: (message: Uint8Array, from: string) => MessageVerdict): void {
    this.handler = handler;
  }

  /** @internal */
  receive(message: Uint8Array, from: string): void {
    if (!this.closed) this.handler?.(message, from);
  }

  close(): void {
    this.closed = true;
    this.network.leave(this);
  }
}
