import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from "@libp2p/crypto/keys";
import { peerIdFromPrivateKey } from "@libp2p/peer-id";
import type { PrivateKey } from "@libp2p/interface";
import { AttestaError } from "../errors.js";

/**
 * The node's libp2p identity: an Ed25519 key, kept in the data directory (`p2p.key`, the
 * protobuf encoding libp2p uses, mode 0600) so the node keeps its peer id across restarts and
 * others can name it in their bootstrap lists. It is not the validator key: that one signs
 * consensus statements and never travels.
 */
export interface PeerKey {
  readonly privateKey: PrivateKey;
  readonly peerId: string;
}

export async function loadOrCreatePeerKey(path: string): Promise<PeerKey> {
  let bytes: Uint8Array | undefined;
  try {
    bytes = await readFile(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
  }
  if (bytes === undefined) {
    const privateKey = await generateKeyPair("Ed25519");
    await mkdir(dirname(path), { recursive: true });
    try {
      await writeFile(path, privateKeyToProtobuf(privateKey), { mode: 0o600, flag: "wx" });
    } catch (err) {
      // Another process created it first: use theirs.
      if ((err as NodeJS.ErrnoException).code === "EEXIST") return loadOrCreatePeerKey(path);
      throw err;
    }
    return { privateKey, peerId: peerIdFromPrivateKey(privateKey).toString() };
  }
  let privateKey: PrivateKey;
  try {
    privateKey = privateKeyFromProtobuf(bytes);
  } catch (err) {
    throw new AttestaError("PEER_KEY_INVALID", `${path} is not a libp2p private key`, { path, reason: (err as Error).message });
  }
  return { privateKey, peerId: peerIdFromPrivateKey(privateKey).toString() };
}
