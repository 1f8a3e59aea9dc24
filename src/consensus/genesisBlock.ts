import { ADDRESS_LENGTH } from "../crypto/address.js";
import { ZERO_HASH } from "../crypto/hash.js";
import { genesisDocumentHash, genesisStateChanges, type Genesis } from "../contracts/genesis.js";
import { validatorSetHash } from "../contracts/modules/validators.js";
import type { Block } from "../ledger/block.js";
import { headerHash } from "../ledger/header.js";
import type { SparseMerkleTree } from "../ledger/smt/index.js";
import type { StateChange } from "../ledger/storage/chainStore.js";

export interface GenesisBlock {
  readonly block: Block;
  readonly hash: Uint8Array;
  readonly changes: StateChange[];
  readonly treeNodes: Array<[Uint8Array, Uint8Array]>;
}

/**
 * Block 0: no transactions, the genesis state's root, and the hash of the genesis document as
 * its parent hash, so the genesis hash commits to every parameter too.
 */
export async function buildGenesisBlock(genesis: Genesis, tree: SparseMerkleTree): Promise<GenesisBlock> {
  const changes = await genesisStateChanges(genesis);
  const { root, nodes } = await tree.update(ZERO_HASH, changes);
  const setHash = validatorSetHash(genesis.validators);
  const header = {
    chainId: genesis.chainId,
    height: 0,
    timestamp: genesis.timestamp,
    parentHash: genesisDocumentHash(genesis),
    txRoot: ZERO_HASH,
    stateRoot: root,
    receiptsRoot: ZERO_HASH,
    validatorsHash: setHash,
    nextValidatorsHash: setHash,
    proposer: new Uint8Array(ADDRESS_LENGTH),
    parentCommit: null,
  };
  return { block: { header: { ...header, signature: new Uint8Array(0) }, txs: [] }, hash: headerHash(header), changes, treeNodes: nodes };
}
