import { noise } from "@chainsafe/libp2p-noise";
import { yamux } from "@chainsafe/libp2p-yamux";
import { bootstrap } from "@libp2p/bootstrap";
import { gossipsub, StrictNoSign, TopicValidatorResult, type GossipSub } from "@libp2p/gossipsub";
import { createTopicScoreParams } from "@libp2p/gossipsub/score";
import { identify } from "@libp2p/identify";
import type { Libp2p, PeerId, Stream } from "@libp2p/interface";
import { mdns } from "@libp2p/mdns";
import { peerIdFromString } from "@libp2p/peer-id";
import { tcp } from "@libp2p/tcp";
import { lpStream } from "@libp2p/utils";
import { multiaddr } from "@multiformats/multiaddr";
import { createLibp2p } from "libp2p";
import type { Logger } from "pino";
import { equalBytes, toHex } from "../crypto/bytes.js";
import { sha256 } from "../crypto/hash.js";
import type { ConsensusTransport, MessageVerdict } from "../consensus/transport.js";
import { AttestaError, isAttestaError } from "../errors.js";
import type { Encodable } from "../ledger/codec.js";
import { NetError, NetErrorCode, request, serve, type RequestHandler } from "./frames.js";
import { Fault, PeerGuard } from "./peerGuard.js";
import type { PeerKey } from "./peerKey.js";
import { NetLimits, protocolIds, topics, type ProtocolIds, type Topics } from "./protocols.js";
import { decodeTxBatch, TxBatcher } from "./txBatcher.js";
import { readStatus, statusTuple, type ChainStatusHello } from "./status.js";

/** What the network needs of the node: its chain's identity and data, and admission. */
export interface NetworkHost {
  readonly chainId: string;
  readonly genesisHash: Uint8Array;
  /** Head and finalized height, for the handshake. */
  status(): { readonly height: number; readonly finalizedHeight: number };
  /** Admits a gossiped batch: `reject` if any transaction is malformed or badly signed (the sender is at fault). */
  admitGossip(txs: readonly Uint8Array[]): Promise<MessageVerdict>;
  /** Request handlers for the request/response protocols (they throw NetError to refuse). */
  readonly blocks: RequestHandler;
  readonly headers: RequestHandler;
  readonly stateProof: RequestHandler;
  readonly inclusion: RequestHandler;
}

/** Where a node listens and how it finds peers (the `start` options). */
export interface PeerAddressing {
  /** Multiaddrs to listen on, e.g. /ip4/0.0.0.0/tcp/7546. */
  readonly listen: readonly string[];
  /** Multiaddrs to announce instead of the listen addresses (behind NAT). */
  readonly announce: readonly string[];
  /** Peers to dial at start and keep dialling: /ip4/.../tcp/.../p2p/<peer id>. */
  readonly bootstrap: readonly string[];
  /** Find peers on the local network by multicast DNS. */
  readonly mdns: boolean;
}

export interface NetworkOptions extends PeerAddressing {
  readonly peerKey: PeerKey;
  /** How long a peer that misbehaved is refused (default 10 minutes). */
  readonly banMs?: number;
  /** Requests per second a peer may make (default 20, burst 60). */
  readonly requestsPerSecond?: number;
  readonly logger: Logger;
}

/** A connected peer's chain position, from its last handshake. */
export interface PeerStatus {
  readonly peer: string;
  readonly height: number;
  readonly finalizedHeight: number;
}

export interface NetworkStats {
  readonly peerId: string;
  readonly addresses: string[];
  readonly peers: number;
  readonly banned: number;
  readonly faults: number;
  readonly gossip: Readonly<Record<"accept" | "ignore" | "reject", number>>;
}

/** How often bootstrap peers that are not connected are dialled again, and statuses refreshed. */
const REDIAL_MS = 5_000;
const STATUS_REFRESH_MS = 5_000;
/** How long a peer of another chain keeps its connection after we answer it WRONG_CHAIN. */
const HANG_UP_AFTER_ANSWER_MS = 500;

type Services = { identify: ReturnType<ReturnType<typeof identify>>; pubsub: GossipSub };

/**
 * The node on the peer-to-peer network (libp2p 3): TCP, Noise, Yamux, identify, gossipsub
 * (StrictNoSign, message id = SHA-256 of the data) for transaction batches, proposals and
 * votes, and evidence; request/response protocols for sync, light nodes and proofs; mDNS and a
 * bootstrap list to find peers; a status handshake that cuts off peers of another chain; and
 * a guard that scores peers and bans the ones that send invalid data.
 */
export class P2PNetwork {
  readonly ids: ProtocolIds;
  readonly topics: Topics;
  readonly guard: PeerGuard;
  private readonly statuses = new Map<string, PeerStatus>();
  private readonly batcher: TxBatcher;
  private readonly transport: GossipConsensusTransport;
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly gossipVerdicts = { accept: 0, ignore: 0, reject: 0 };
  private stopped = false;
  private readonly log: Logger;

  private constructor(
    readonly libp2p: Libp2p<Services>,
    private readonly host: NetworkHost,
    guard: PeerGuard,
    private readonly options: NetworkOptions,
  ) {
    this.log = options.logger;
    this.ids = protocolIds(host.chainId);
    this.topics = topics(host.chainId);
    this.guard = guard;
    this.batcher = new TxBatcher({ publish: (batch) => this.publish(this.topics.txs, batch) });
    this.transport = new GossipConsensusTransport(this);
  }

  static async start(host: NetworkHost, options: NetworkOptions): Promise<P2PNetwork> {
    const guard = new PeerGuard({
      banMs: options.banMs ?? 10 * 60_000,
      ...(options.requestsPerSecond !== undefined ? { requestsPerSecond: options.requestsPerSecond, requestBurst: options.requestsPerSecond * 3 } : {}),
    });
    const t = topics(host.chainId);
    const topicScore = createTopicScoreParams({
      topicWeight: 1,
      timeInMeshWeight: 0,
      firstMessageDeliveriesWeight: 1,
      firstMessageDeliveriesCap: 100,
      firstMessageDeliveriesDecay: 0.5,
      // A quiet peer (nothing to say) is not at fault: no penalty for delivering little.
      meshMessageDeliveriesWeight: 0,
      meshFailurePenaltyWeight: 0,
      invalidMessageDeliveriesWeight: -20,
      invalidMessageDeliveriesDecay: 0.5,
    });
    for (const address of options.bootstrap) bootstrapPeerId(address);
    const denied = (peer: PeerId): boolean => guard.isBanned(peer.toString());
    let libp2p: Libp2p<Services>;
    try {
      libp2p = await createLibp2p<Services>({
        privateKey: options.peerKey.privateKey,
        addresses: { listen: [...options.listen], announce: [...options.announce] },
        transports: [tcp()],
        connectionEncrypters: [noise()],
        streamMuxers: [yamux()],
        peerDiscovery: [
          ...(options.bootstrap.length > 0 ? [bootstrap({ list: [...options.bootstrap] })] : []),
          ...(options.mdns ? [mdns()] : []),
        ],
        connectionGater: {
          denyDialPeer: denied,
          denyInboundEncryptedConnection: denied,
          denyOutboundEncryptedConnection: denied,
          // Loopback and private addresses are where devnets and bridges live.
          denyDialMultiaddr: () => false,
        },
        // Under load (a validator executing a big block) a ping can be late: keep the connection.
        connectionMonitor: { abortConnectionOnPingFailure: false },
        services: {
          identify: identify(),
          pubsub: gossipsub({
            globalSignaturePolicy: StrictNoSign,
            msgIdFn: (msg) => sha256(msg.data),
            allowPublishToZeroTopicPeers: true,
            ignoreDuplicatePublishError: true,
            emitSelf: false,
            maxInboundDataLength: NetLimits.maxGossipBytes + 64 * 1024,
            scoreParams: {
              topics: { [t.txs]: topicScore, [t.consensus]: topicScore, [t.evidence]: topicScore },
              // Devnets share 127.0.0.1 and bridges share a NAT: many peers on one IP are normal.
              IPColocationFactorWeight: 0,
            },
          }),
        },
      });
    } catch (err) {
      // A port in use, an address not on this machine, a malformed multiaddr.
      throw new AttestaError("P2P_START_FAILED", `cannot start the p2p network on ${options.listen.join(", ")}: ${(err as Error).message}`, {
        listen: [...options.listen],
      });
    }
    const network = new P2PNetwork(libp2p, host, guard, options);
    await network.wire();
    return network;
  }

  private async wire(): Promise<void> {
    const { libp2p, ids } = this;
    const pubsub = libp2p.services.pubsub;
    pubsub.topicValidators.set(this.topics.txs, (peer, msg) => this.validateTxs(peer, msg.data));
    pubsub.topicValidators.set(this.topics.consensus, (peer, msg) => this.validateConsensus(peer, msg.data));
    pubsub.topicValidators.set(this.topics.evidence, (peer, msg) => this.validateConsensus(peer, msg.data));
    for (const topic of Object.values(this.topics)) pubsub.subscribe(topic);

    await libp2p.handle(ids.status, (stream, connection) => this.serveRequest(stream, connection.remotePeer, (body, peer) => this.onStatusRequest(body, peer)));
    const guarded = (handler: RequestHandler) => (stream: Stream, connection: { remotePeer: PeerId }) => this.serveRequest(stream, connection.remotePeer, handler);
    await libp2p.handle(ids.blocks, guarded(this.host.blocks));
    await libp2p.handle(ids.headers, guarded(this.host.headers));
    await libp2p.handle(ids.stateProof, guarded(this.host.stateProof));
    await libp2p.handle(ids.inclusion, guarded(this.host.inclusion));
    await libp2p.handle(ids.direct, (stream, connection) => this.receiveDirect(stream, connection.remotePeer));

    libp2p.addEventListener("peer:connect", (event) => void this.handshake(event.detail));
    libp2p.addEventListener("peer:disconnect", (event) => this.statuses.delete(event.detail.toString()));
    libp2p.addEventListener("peer:discovery", (event) => {
      const peer = event.detail.id;
      if (this.stopped || this.guard.isBanned(peer.toString()) || libp2p.getConnections(peer).length > 0) return;
      libp2p.dial(peer).catch((err: unknown) => this.log.debug({ peer: peer.toString(), err: (err as Error).message }, "dial failed"));
    });
    this.every(REDIAL_MS, () => this.redialBootstrap());
    this.every(STATUS_REFRESH_MS, () => {
      for (const peer of libp2p.getPeers()) void this.handshake(peer);
    });
    this.redialBootstrap();
    this.log.info({ peerId: this.peerId, addresses: this.addresses }, "p2p listening");
  }

  private every(ms: number, run: () => void): void {
    const timer = setInterval(run, ms);
    timer.unref?.();
    this.timers.push(timer);
  }

  /** Keeps bootstrap peers connected (a bridge on a flaky link, a validator restarted). */
  private redialBootstrap(): void {
    if (this.stopped) return;
    for (const address of this.options.bootstrap) {
      const id = bootstrapPeerId(address);
      if (id === this.peerId || this.guard.isBanned(id)) continue;
      if (this.libp2p.getConnections(peerIdFromString(id)).length > 0) continue;
      this.libp2p.dial(multiaddr(address)).catch((err: unknown) => this.log.debug({ address, err: (err as Error).message }, "bootstrap dial failed"));
    }
  }

  get peerId(): string {
    return this.libp2p.peerId.toString();
  }

  get addresses(): string[] {
    return this.libp2p.getMultiaddrs().map((a) => a.toString());
  }

  /** The consensus engine's transport over this network. */
  get consensus(): ConsensusTransport {
    return this.transport;
  }

  /** Peers' chain positions from their last handshake. */
  peerStatuses(): PeerStatus[] {
    return [...this.statuses.values()];
  }

  /** Gossips transactions our own clients submitted and we admitted (in batches, rate-limited). */
  publishTxs(txs: readonly Uint8Array[]): void {
    if (txs.length > 0) this.batcher.add(txs);
  }

  /** @internal */
  async publish(topic: string, data: Uint8Array): Promise<void> {
    if (this.stopped) return;
    await this.libp2p.services.pubsub.publish(topic, data);
  }

  /** Sends one request to a peer and returns its result; throws NetError (the caller judges the peer). */
  async request(peer: string, protocol: string, body: Encodable, maxResponseBytes?: number): Promise<Encodable> {
    return request(this.libp2p, peerIdFromString(peer), protocol, body, maxResponseBytes !== undefined ? { maxResponseBytes } : {});
  }

  /** Counts a fault against `peer`; at the threshold it is banned and disconnected. */
  fault(peer: string, points: number, reason: string): void {
    this.log.debug({ peer, points, reason }, "peer fault");
    if (!this.guard.fault(peer, points)) return;
    this.log.warn({ peer, reason }, "peer banned: it sent invalid data");
    this.hangUp(peer);
  }

  private hangUp(peer: string): void {
    this.statuses.delete(peer);
    this.libp2p.hangUp(peerIdFromString(peer)).catch(() => undefined);
  }

  private async serveRequest(stream: Stream, remote: PeerId, handler: RequestHandler): Promise<void> {
    const peer = remote.toString();
    if (this.guard.isBanned(peer)) return void stream.abort(new Error("banned"));
    if (!this.guard.allowRequest(peer)) {
      this.fault(peer, Fault.RATE_LIMITED, "rate limited");
      const limited: RequestHandler = () => Promise.reject(new NetError(NetErrorCode.RATE_LIMITED, "too many requests"));
      await serve(stream, remote, limited);
      return;
    }
    const refused = await serve(stream, remote, handler);
    if (refused === NetErrorCode.BAD_REQUEST) this.fault(peer, Fault.BAD_REQUEST, "bad request");
  }

  private ourStatus(): ChainStatusHello {
    const { height, finalizedHeight } = this.host.status();
    return { chainId: this.host.chainId, genesisHash: this.host.genesisHash, height, finalizedHeight };
  }

  /**
   * Is `hello` of our chain? If not, the peer is refused for a while and cut off: at once, or
   * (when it asked) a moment later, so that our WRONG_CHAIN answer reaches it first.
   */
  private sameChain(peer: string, hello: ChainStatusHello, answering = false): boolean {
    if (hello.chainId === this.host.chainId && equalBytes(hello.genesisHash, this.host.genesisHash)) return true;
    this.log.warn({ peer, chainId: hello.chainId, genesisHash: toHex(hello.genesisHash) }, "peer of another chain: disconnected");
    this.guard.ban(peer);
    if (answering) setTimeout(() => this.hangUp(peer), HANG_UP_AFTER_ANSWER_MS).unref();
    else this.hangUp(peer);
    return false;
  }

  private async onStatusRequest(body: Encodable, peer: PeerId): Promise<Encodable> {
    const hello = readStatus(body);
    if (!this.sameChain(peer.toString(), hello, true)) throw new NetError(NetErrorCode.WRONG_CHAIN, "another chain");
    this.statuses.set(peer.toString(), { peer: peer.toString(), height: hello.height, finalizedHeight: hello.finalizedHeight });
    return statusTuple(this.ourStatus());
  }

  /** The status handshake: both sides learn each other's chain and height; another chain is cut off. */
  private async handshake(remote: PeerId): Promise<void> {
    const peer = remote.toString();
    if (this.stopped) return;
    try {
      const hello = readStatus(await request(this.libp2p, remote, this.ids.status, statusTuple(this.ourStatus()), { timeoutMs: 5_000 }));
      if (this.sameChain(peer, hello)) this.statuses.set(peer, { peer, height: hello.height, finalizedHeight: hello.finalizedHeight });
    } catch (err) {
      if (err instanceof NetError && err.code === NetErrorCode.WRONG_CHAIN) {
        this.log.warn({ peer }, "peer refused us as of another chain: disconnected");
        this.guard.ban(peer);
        this.hangUp(peer);
      } else if (isAttestaError(err)) {
        this.fault(peer, Fault.INVALID, "malformed status");
      } else if (err instanceof NetError && err.code === NetErrorCode.UNSUPPORTED_PROTOCOL) {
        // Not an Attesta node (it does not speak the handshake): nothing to say to each other.
        this.log.debug({ peer }, "peer without the status protocol: disconnected");
        this.hangUp(peer);
      } else {
        this.log.debug({ peer, err: (err as Error).message }, "status handshake failed");
      }
    }
  }

  private count(verdict: MessageVerdict, peer: string, what: string): TopicValidatorResult {
    this.gossipVerdicts[verdict]++;
    if (verdict === "reject") this.fault(peer, Fault.INVALID, `invalid ${what}`);
    return verdict === "accept" ? TopicValidatorResult.Accept : verdict === "ignore" ? TopicValidatorResult.Ignore : TopicValidatorResult.Reject;
  }

  private async validateTxs(from: PeerId, data: Uint8Array): Promise<TopicValidatorResult> {
    const peer = from.toString();
    let txs: Uint8Array[];
    try {
      txs = decodeTxBatch(data);
    } catch {
      return this.count("reject", peer, "transaction batch");
    }
    try {
      return this.count(await this.host.admitGossip(txs), peer, "transaction");
    } catch (err) {
      // Our own failure (a closing database, an overloaded pool) is not the peer's.
      this.log.debug({ err }, "gossiped batch not admitted");
      return this.count("ignore", peer, "transaction");
    }
  }

  private validateConsensus(from: PeerId, data: Uint8Array): TopicValidatorResult {
    return this.count(this.transport.deliver(data, from.toString()), from.toString(), "consensus message");
  }

  private async receiveDirect(stream: Stream, remote: PeerId): Promise<void> {
    const peer = remote.toString();
    if (this.guard.isBanned(peer)) return void stream.abort(new Error("banned"));
    try {
      const lp = lpStream(stream, { maxDataLength: NetLimits.maxGossipBytes });
      const frame = await lp.read({ signal: AbortSignal.timeout(10_000) });
      await stream.close().catch(() => undefined);
      const verdict = this.transport.deliverDirect(frame.subarray(), peer);
      if (verdict === "reject") this.fault(peer, Fault.INVALID, "invalid direct consensus message");
    } catch (err) {
      stream.abort(err as Error);
      this.fault(peer, Fault.BAD_REQUEST, "oversized or broken direct message");
    }
  }

  /** @internal Sends one frame to one peer on the direct consensus protocol. */
  async sendDirect(peer: string, data: Uint8Array): Promise<void> {
    const stream = await this.libp2p.dialProtocol(peerIdFromString(peer), this.ids.direct, { signal: AbortSignal.timeout(5_000) });
    try {
      await lpStream(stream).write(data);
      await stream.close();
    } catch (err) {
      stream.abort(err as Error);
    }
  }

  stats(): NetworkStats {
    return {
      peerId: this.peerId,
      addresses: this.addresses,
      peers: this.libp2p.getPeers().length,
      banned: this.guard.banned,
      faults: this.guard.stats.faults,
      gossip: { ...this.gossipVerdicts },
    };
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const timer of this.timers) clearInterval(timer);
    this.batcher.close();
    this.transport.close();
    await this.libp2p.stop();
  }
}

/**
 * The consensus engine's transport over gossipsub: proposals and votes on the consensus topic,
 * evidence on its own, and one-peer messages (catch-up) on the direct protocol. Each gossip
 * message carries a 4-byte send counter after the wire message, so a statement the engine
 * resends while stalled is a new gossip message (gossipsub drops data it has seen).
 */
class GossipConsensusTransport implements ConsensusTransport {
  private handler: ((message: Uint8Array, from: string) => MessageVerdict) | undefined;
  private counter = 0;
  private closed = false;

  constructor(private readonly network: P2PNetwork) {}

  get id(): string {
    return this.network.peerId;
  }

  broadcast(message: Uint8Array): void {
    if (this.closed) return;
    const data = new Uint8Array(message.length + 4);
    data.set(message);
    new DataView(data.buffer).setUint32(message.length, this.counter++ >>> 0);
    const topic = isEvidence(message) ? this.network.topics.evidence : this.network.topics.consensus;
    this.network.publish(topic, data).catch(() => undefined);
  }

  send(peer: string, message: Uint8Array): void {
    if (!this.closed) this.network.sendDirect(peer, message).catch(() => undefined);
  }

  onMessage(handler: (message: Uint8Array, from: string) => MessageVerdict): void {
    this.handler = handler;
  }

  /** A gossiped consensus message: the wire message less its send counter. */
  deliver(data: Uint8Array, from: string): MessageVerdict {
    if (data.length < 5) return "reject";
    return this.deliverDirect(data.subarray(0, data.length - 4), from);
  }

  deliverDirect(message: Uint8Array, from: string): MessageVerdict {
    if (this.closed || this.handler === undefined) return "ignore";
    return this.handler(message, from);
  }

  close(): void {
    this.closed = true;
  }
}

/** The peer id a bootstrap address ends with; BAD_BOOTSTRAP_ADDRESS unless it is /.../p2p/<peer id>. */
function bootstrapPeerId(address: string): string {
  try {
    const id = multiaddr(address).getComponents().find((c) => c.name === "p2p")?.value;
    if (id !== undefined) return peerIdFromString(id).toString();
  } catch {
    // reported below
  }
  throw new AttestaError("BAD_BOOTSTRAP_ADDRESS", `bootstrap address ${address} is not a multiaddr ending in /p2p/<peer id>`, { address });
}

/** An evidence wire message: a msgpack array whose first element (the type tag) is 2. */
function isEvidence(message: Uint8Array): boolean {
  return message.length > 1 && message[1] === 2;
}
