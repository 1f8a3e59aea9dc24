import { HASH_LENGTH } from "../../crypto/hash.js";
import type { Encodable } from "../codec.js";
import { TupleReader } from "../tuple.js";
import { PATH_BITS } from "./node.js";

/**
 * A compressed proof of one key's presence or absence. The path ends at depth d = (index of
 * the last set bitmap bit) + 1: a leaf never has an empty sibling there, or it would have moved up.
 */
export interface StateProof {
  /** 32 bytes; bit i (most significant first) is set when the sibling at depth i is non-empty. */
  readonly bitmap: Uint8Array;
  /** The non-empty siblings, top-down. */
  readonly siblings: Uint8Array[];
  /** For an absent key: the other leaf where the path ends, or null when the path ends in an empty subtree (or at the key's own leaf). */
  readonly leaf: null | { readonly path: Uint8Array; readonly valueHash: Uint8Array };
}

export const BITMAP_LENGTH = PATH_BITS / 8;

export function stateProofTuple(proof: StateProof): Encodable {
  return [proof.bitmap, proof.siblings, proof.leaf === null ? null : [proof.leaf.path, proof.leaf.valueHash]];
}

/** Strict decoding of `stateProofTuple`; MALFORMED on any deviation. The verifier checks the rest. */
export function readStateProof(value: Encodable): StateProof {
  const r = new TupleReader(value, "stateProof", 3);
  const bitmap = r.bytes("bitmap", BITMAP_LENGTH);
  const list = r.list("siblings", PATH_BITS);
  const sr = new TupleReader(list, "stateProof.siblings", list.length);
  const siblings = list.map((_, i) => sr.bytes(String(i), HASH_LENGTH));
  const leaf = r.optional("leaf", (v) => {
    const lr = new TupleReader(v, "stateProof.leaf", 2);
    return { path: lr.bytes("path", HASH_LENGTH), valueHash: lr.bytes("valueHash", HASH_LENGTH) };
  });
  return { bitmap, siblings, leaf };
}
