export { SparseMerkleTree } from "./tree.js";
export type { StateChange } from "./batch.js";
export type { TreeUpdate } from "./update.js";
export type { SparseMerkleTreeOptions } from "./options.js";
export type { TreeNodeReader } from "./nodeStore.js";
export { MemoryNodeStore } from "./memoryStore.js";
export { type StateProof, stateProofTuple, readStateProof } from "./proof.js";
export { verifyStateProof } from "./verify.js";
export { keyPath } from "./node.js";
