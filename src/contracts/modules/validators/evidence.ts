import { toHex } from "../../../crypto/bytes.js";
import { sha256 } from "../../../crypto/hash.js";
import { verifySignature } from "../../../crypto/verify.js";
import { AttestaError } from "../../../errors.js";
import { encode, type Encodable } from "../../../ledger/codec.js";
import { conflicting, readEvidence, statementPayload, type Evidence, type Statement } from "../../../ledger/consensusMessages.js";
import { defineMethod, type ContractModule } from "../../runtime.js";
import { ModuleId, stateKey } from "../../moduleIds.js";
import { ValidatorErrorCode } from "./errors.js";
import { jail } from "./jail.js";
import { validatorSetAt } from "./schedule.js";
import { indexOfValidator, ValidatorsPart } from "./set.js";

/** Evidence about a height older than this many blocks is refused. */
export const EVIDENCE_MAX_AGE = 10_000;

function invalid(message: string, details?: Record<string, unknown>): never {
  throw new AttestaError(ValidatorErrorCode.INVALID_EVIDENCE, message, details);
}

/** The key that marks evidence of one offence (offender, kind, height, round) as judged. */
function evidenceKey(e: Evidence): Uint8Array {
  return stateKey(ModuleId.VALIDATORS, Uint8Array.of(ValidatorsPart.EVIDENCE, ...sha256(encode([e.offender, e.a.kind, e.a.height, e.a.round]))));
}

/**
 * `validators.evidence [offender: bytes20, a: statement, b: statement]`: two conflicting
 * consensus statements (same kind, height and round, different block) signed by one current
 * validator. Anyone may submit it (it proves itself); the offender is jailed, so it is not
 * chosen as proposer until the validators vote about it. Each offence is judged once.
 */
const evidence = defineMethod<Evidence>({
  decodeArgs: (args: readonly Encodable[]) => readEvidence(args),
  execute(ctx, e) {
    const { env } = ctx;
    if (!conflicting(e.a, e.b)) invalid("the statements do not conflict");
    if (e.a.height > env.height) invalid("evidence about a future height", { height: e.a.height });
    if (env.height - e.a.height > EVIDENCE_MAX_AGE) {
      throw new AttestaError(ValidatorErrorCode.EVIDENCE_TOO_OLD, "evidence too old", { height: e.a.height, maxAge: EVIDENCE_MAX_AGE });
    }
    const set = validatorSetAt(ctx.state, env.height);
    const index = indexOfValidator(set, e.offender);
    if (index < 0) invalid("the offender is not a current validator", { offender: toHex(e.offender) });
    const publicKey = (set[index] as (typeof set)[number]).publicKey;
    const signedBy = (s: Statement): boolean => verifySignature("secp256k1", publicKey, s.signature, statementPayload(env.chainId, s));
    if (!signedBy(e.a) || !signedBy(e.b)) invalid("a statement is not signed by the offender");
    const key = evidenceKey(e);
    if (ctx.state.get(key) !== undefined) {
      throw new AttestaError(ValidatorErrorCode.DUPLICATE_EVIDENCE, "this offence is already recorded", { height: e.a.height, round: e.a.round });
    }
    ctx.state.set(key, encode(env.height));
    jail(ctx.state, e.offender);
    ctx.emit("validators.equivocation", [
      ["offender", e.offender],
      ["kind", e.a.kind],
      ["height", e.a.height],
      ["round", e.a.round],
    ]);
  },
});

export const evidenceMethods: ContractModule["methods"] = { evidence };
