import { query } from "../../src/contracts/state.js";
import { multiaddr } from "@multiformats/multiaddr";
import { afterEach, describe, expect, it } from "vitest";
import { buildTransaction, generateKeyPair, transferArgs } from "../../src/client/index.js";
import { fromHex, toHex } from "../../src/crypto/bytes.js";
import { stateKey, ModuleId } from "../../src/contracts/moduleIds.js";
import { verifyCommit } from "../../src/consensus/verifyCommit.js";
import { validatorSetAt } from "../../src/contracts/modules/validators.js";
import { decode, encode, type Encodable } from "../../src/ledger/codec.js";
import { readCommit } from "../../src/ledger/commit.js";
import { decodeHeader, headerHash } from "../../src/ledger/header.js";
import { readMerkleProof, verifyMerkleProof } from "../../src/ledger/merkle.js";
import { readStateProof, verifyStateProof } from "../../src/ledger/smt/index.js";
import { TupleReader } from "../../src/ledger/tuple.js";
import { NetError } from "../../src/net/frames.js";
import { P2PNetwork, type NetworkHost } from "../../src/net/network.js";
import { loadOrCreatePeerKey } from "../../src/net/peerKey.js";
import { NetLimits } from "../../src/net/protocols.js";
import { createTestNetwork, type NetNode, type TestNetwork } from "../fixtures/network.js";
import { silentLogger, tempDir, removeDir, waitFor } from "../fixtures/node.js";

// Real nodes in this process over real libp2p on 127.0.0.1, real level databases in temp dirs.

const networks: TestNetwork[] = [];
const probes: P2PNetwork[] = [];
afterEach(async () => {
  await Promise.all(probes.splice(0).map((p) => p.stop()));
  await Promise.all(networks.splice(0).map((n) => n.stop()));
});

async function network(validators: number, ...args: Parameters<typeof createTestNetwork> extends [number, ...infer R] ? R : never): Promise<TestNetwork> {
  const net = await createTestNetwork(validators, ...args);
  networks.push(net);
  return net;
}

const live = (net: TestNetwork): NetNode[] => net.nodes.filter((n) => n.node !== undefined);
const finalized = (n: NetNode): number => n.node?.status().finalizedHeight ?? 0;

/** Every node that is up has the same block hash at every height all of them finalized. */
async function expectOneChain(nodes: NetNode[]): Promise<number> {
  const upTo = Math.min(...nodes.map(finalized));
  for (let h = 1; h <= upTo; h++) {
    const hashes = await Promise.all(nodes.map(async (n) => toHex((await n.node?.blockByHeight(h))?.hash ?? new Uint8Array())));
    expect(new Set(hashes).size, `height ${h}: ${hashes.join(" ")}`).toBe(1);
  }
  return upTo;
}

/** A libp2p peer of our own (same chain) that serves nothing: a client for requests, or a misbehaving peer. */
async function probe(net: TestNetwork, target: NetNode, opts: { chainId?: string } = {}): Promise<P2PNetwork> {
  const node = target.node;
  if (node === undefined) throw new Error("target not running");
  const dir = await tempDir("attesta-probe-");
  const peerKey = await loadOrCreatePeerKey(`${dir}/p2p.key`);
  await removeDir(dir);
  const nothing = (): Promise<Encodable> => Promise.reject(new NetError("NOT_FOUND", "nothing here"));
  const host: NetworkHost = {
    chainId: opts.chainId ?? node.genesis.chainId,
    genesisHash: node.chain.genesisHash,
    status: () => ({ height: 0, finalizedHeight: 0 }),
    admitGossip: () => Promise.resolve("ignore"),
    blocks: nothing,
    headers: nothing,
    stateProof: nothing,
    inclusion: nothing,
  };
  const p = await P2PNetwork.start(host, { peerKey, listen: ["/ip4/127.0.0.1/tcp/0"], announce: [], bootstrap: [target.address], mdns: false, logger: silentLogger });
  probes.push(p);
  return p;
}

async function transfer(net: TestNetwork, via: NetNode, nonce: number): Promise<string> {
  const client = via.client;
  if (client === undefined) throw new Error("node not running");
  const { chainId, feePerByte } = await client.chainParams();
  const tx = buildTransaction({ chainId, kind: "accounts.transfer", args: transferArgs(generateKeyPair().address, 1n), key: net.devKey, nonce, feePerByte });
  const [result] = await client.submitBatch([tx]);
  if (result === undefined || !("hash" in result)) throw new Error(`transfer refused: ${JSON.stringify(result)}`);
  return result.hash;
}

describe("a network of four validators", () => {
  it("finalizes blocks with transactions sent to any node, and every node has the same hash at every final height", async () => {
    const net = await network(4);
    await Promise.all([0, 1, 2, 3].map((i) => net.start(i)));
    // Sent to node 1 only: gossip brings it to whoever proposes.
    const hashes = [await transfer(net, net.nodes[1] as NetNode, 0), await transfer(net, net.nodes[1] as NetNode, 1)];
    for (const n of net.nodes) {
      for (const hash of hashes) await waitFor(async () => ((await n.client?.txStatus(hash))?.status === "final" ? true : undefined), 20_000);
    }
    await waitFor(async () => (Math.min(...net.nodes.map(finalized)) >= 4 ? true : undefined), 20_000);
    expect(await expectOneChain(net.nodes)).toBeGreaterThanOrEqual(4);
    const status = net.nodes[0]?.node?.status();
    expect(status?.network?.peers).toBe(3);
    expect(status?.network?.gossip.accept).toBeGreaterThan(0);
    expect(status?.network?.gossip.reject).toBe(0);
  });

  it("halts finality without a fork when two of four stop, and resumes when one returns", async () => {
    const net = await network(4);
    await Promise.all([0, 1, 2, 3].map((i) => net.start(i)));
    await waitFor(async () => (Math.min(...net.nodes.map(finalized)) >= 2 ? true : undefined), 20_000);
    await Promise.all([net.stopNode(2), net.stopNode(3)]);
    // The two left may finish nothing: a quorum of four is three.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const halted = Math.max(...live(net).map(finalized));
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(Math.max(...live(net).map(finalized))).toBe(halted);
    await expectOneChain(live(net));

    await net.start(2);
    await waitFor(async () => (Math.min(...live(net).map(finalized)) >= halted + 2 ? true : undefined), 30_000);
    expect(await expectOneChain(live(net))).toBeGreaterThanOrEqual(halted + 2);
  });
});

describe("sync", () => {
  it("a fresh full node syncs 1,000 blocks from scratch, verifying each, then follows the head", async () => {
    // One validator deciding alone, a block every few ms: 1,000 blocks in seconds.
    const net = await network(1, { blockPeriodMs: 1, heartbeatMs: 2 });
    const validator = await net.start(0);
    await waitFor(async () => (finalized(validator) >= 1_000 ? true : undefined), 60_000, 100);
    const full = await net.addFullNode();
    const status = full.node?.status();
    expect(status?.mode).toBe("full");
    // Started after the sync: the range sync did the bulk, consensus following did the rest.
    expect(status?.sync?.imported).toBeGreaterThanOrEqual(1_000);
    const then = finalized(validator);
    await waitFor(async () => (finalized(full) >= then + 20 ? true : undefined), 30_000, 100);
    expect(await expectOneChain([validator, full])).toBeGreaterThanOrEqual(then + 20);
  });
});

describe("peers", () => {
  it("scores down and cuts off a peer that sends malformed gossip and oversized requests, while honest traffic goes on", async () => {
    const net = await network(1, { blockPeriodMs: 100, heartbeatMs: 500 });
    const honest = await net.start(0);
    const bad = await probe(net, honest);
    await waitFor(async () => (bad.stats().peers === 1 && bad.libp2p.services.pubsub.getSubscribers(bad.topics.txs).length === 1 ? true : undefined), 10_000);
    const target = honest.node?.status().network?.peerId as string;
    // Requests past the size cap, then garbage on the transaction topic.
    for (let i = 0; i < 2; i++) {
      const refused = await bad.request(target, bad.ids.blocks, [new Uint8Array(NetLimits.maxRequestBytes + 1), 1]).then(
        () => undefined,
        (err: unknown) => (err as NetError).code,
      );
      expect(refused).toBe("BAD_REQUEST");
    }
    for (let i = 0; i < 4; i++) await bad.publish(bad.topics.txs, new Uint8Array([0xc1, i]));
    await waitFor(async () => (honest.node?.status().network?.banned === 1 ? true : undefined), 10_000);
    await waitFor(async () => (bad.stats().peers === 0 ? true : undefined), 10_000);
    const seen = honest.node?.status().network;
    expect(seen?.gossip.reject).toBeGreaterThanOrEqual(2);
    expect(seen?.faults).toBeGreaterThanOrEqual(4);
    // Refused when it comes back: the connection does not stay.
    await bad.libp2p.dial(multiaddr(honest.address)).catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(honest.node?.status().network?.peers).toBe(0);
    // Honest traffic still goes through.
    const hash = await transfer(net, honest, 0);
    await waitFor(async () => ((await honest.client?.txStatus(hash))?.status === "final" ? true : undefined), 10_000);
  });

  it("refuses a node of another chain at the handshake", async () => {
    const net = await network(1);
    const ours = await net.start(0);
    const stranger = await probe(net, ours, { chainId: "another-chain" });
    await waitFor(async () => (ours.node?.status().network?.banned === 1 ? true : undefined), 10_000);
    await waitFor(async () => (stranger.stats().peers === 0 && ours.node?.status().network?.peers === 0 ? true : undefined), 10_000);
    // It keeps trying its bootstrap list: it stays cut off.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(ours.node?.status().network?.peers).toBe(0);
    expect(stranger.peerStatuses()).toEqual([]);
  });

  it("serves headers by range, state proofs and inclusion proofs that verify against certified headers", async () => {
    const net = await network(1, { blockPeriodMs: 100, heartbeatMs: 500 });
    const node = await net.start(0);
    const hash = await transfer(net, node, 0);
    await waitFor(async () => ((await node.client?.txStatus(hash))?.status === "final" ? true : undefined), 10_000);
    await waitFor(async () => (finalized(node) >= 3 ? true : undefined), 10_000);
    const client = await probe(net, node);
    const peer = node.node?.status().network?.peerId as string;
    await waitFor(async () => (client.stats().peers === 1 ? true : undefined), 10_000);
    const chain = node.node?.chain;
    if (chain === undefined) throw new Error("no chain");
    const chainId = chain.chainId;

    const headers = (await client.request(peer, client.ids.headers, [1, 3])) as Encodable[][];
    expect(headers).toHaveLength(3);
    for (const [bytes, commitValue] of headers) {
      const header = decodeHeader(bytes as Uint8Array);
      const set = await query(chain.state, (s) => validatorSetAt(s, header.height));
      expect(() => verifyCommit(readCommit(commitValue as Encodable), set, chainId, header.height, headerHash(header))).not.toThrow();
    }

    const key = stateKey(ModuleId.ACCOUNTS, net.devKey.address);
    const r = new TupleReader(await client.request(peer, client.ids.stateProof, [key]), "proof", 5);
    r.uint("height");
    const header = decodeHeader(r.bytes("header"));
    r.any();
    const value = r.optional("value", (v) => v as Uint8Array);
    const proof = readStateProof(r.any());
    expect(value).not.toBeNull();
    expect(verifyStateProof(header.stateRoot, key, value, proof)).toBe(true);
    expect(verifyStateProof(header.stateRoot, key, encode([1n]), proof)).toBe(false);

    const inc = new TupleReader(await client.request(peer, client.ids.inclusion, [fromHex(hash)]), "inclusion", 6);
    inc.uint("height");
    const txHeader = decodeHeader(inc.bytes("header"));
    inc.any();
    inc.uint("index");
    const txBytes = inc.bytes("tx");
    const merkle = readMerkleProof(inc.any());
    expect(decode(txBytes)).toBeDefined();
    expect(verifyMerkleProof(txHeader.txRoot, fromHex(hash), merkle)).toBe(true);

    await expect(client.request(peer, client.ids.inclusion, [new Uint8Array(32)])).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(client.request(peer, client.ids.headers, [1, NetLimits.maxHeadersPerRequest + 1])).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(client.request(peer, client.ids.inclusion, [new Uint8Array(31)])).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(client.request(peer, client.ids.blocks, ["1", 2])).rejects.toMatchObject({ code: "BAD_REQUEST" });
  });
});
