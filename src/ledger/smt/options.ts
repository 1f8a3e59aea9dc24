export interface SparseMerkleTreeOptions {
  /** How many node encodings to keep in memory (about 200 bytes each); 0 disables the cache. */
  readonly cacheNodes?: number;
}

export const defaultSparseMerkleTreeOptions = {
  cacheNodes: 200_000,
} as const satisfies Required<SparseMerkleTreeOptions>;
