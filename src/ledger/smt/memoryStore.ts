import { nodeKey, type TreeNodeReader } from "./nodeStore.js";

/** Nodes held in a Map: for tests, genesis and tools. */
export class MemoryNodeStore implements TreeNodeReader {
  private readonly nodes = new Map<string, Uint8Array>();

  async getNode(hash: Uint8Array): Promise<Uint8Array | undefined> {
    return this.nodes.get(nodeKey(hash));
  }

  putNodes(nodes: Iterable<readonly [hash: Uint8Array, encoding: Uint8Array]>): void {
    for (const [hash, encoding] of nodes) this.nodes.set(nodeKey(hash), encoding);
  }

  get size(): number {
    return this.nodes.size;
  }
}
