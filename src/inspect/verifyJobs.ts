import { keyTypeCode, keyTypeFromCode } from "../crypto/keyTypes.js";
import type { KeyType } from "../crypto/keyTypes.js";
import { MessagePayload, type SignedPayload } from "../crypto/payload.js";

// Jobs cross to a worker packed into one buffer that is transferred, not copied: a job's byte
// fields are often views into larger buffers (a request body, a decoder's slab), which
// structured cloning would copy whole, view by view. The worker hashes the message itself
// (when its key type needs the digest): a core of the pool, not the main thread, pays for it.
// Per job, in order:
//   keyType code (1) | publicKey length (1) | publicKey | signature length (1) | signature |
//   message length (4, big-endian) | message

/** One signature to check. */
export interface VerifyJob {
  readonly keyType: KeyType;
  readonly publicKey: Uint8Array;
  readonly signature: Uint8Array;
  readonly payload: SignedPayload;
}

export function packJobs(jobs: readonly VerifyJob[]): Uint8Array<ArrayBuffer> {
  // Each message read once: a transaction's payload derives it from the bytes on each read.
  const messages = jobs.map((j) => j.payload.message);
  let size = 0;
  for (let i = 0; i < jobs.length; i++) {
    const j = jobs[i] as VerifyJob;
    size += 7 + j.publicKey.length + j.signature.length + (messages[i] as Uint8Array).length;
  }
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  let o = 0;
  const field = (bytes: Uint8Array): void => {
    out[o++] = bytes.length;
    out.set(bytes, o);
    o += bytes.length;
  };
  for (let i = 0; i < jobs.length; i++) {
    const j = jobs[i] as VerifyJob;
    const message = messages[i] as Uint8Array;
    if (j.publicKey.length > 255 || j.signature.length > 255) throw new RangeError("verify job field too long");
    out[o++] = keyTypeCode(j.keyType);
    field(j.publicKey);
    field(j.signature);
    view.setUint32(o, message.length);
    o += 4;
    out.set(message, o);
    o += message.length;
  }
  return out;
}

/** Unpacks jobs as views over `packed` (no copies); each digest is hashed when read. */
export function unpackJobs(packed: Uint8Array): VerifyJob[] {
  const view = new DataView(packed.buffer, packed.byteOffset, packed.byteLength);
  const jobs: VerifyJob[] = [];
  let o = 0;
  // Views built directly (V8's subarray is several times slower, and there are three per job).
  const at = (start: number, length: number): Uint8Array => new Uint8Array(packed.buffer, packed.byteOffset + start, length);
  const field = (): Uint8Array => {
    const length = packed[o++] as number;
    const bytes = at(o, length);
    o += length;
    return bytes;
  };
  while (o < packed.length) {
    const keyType = keyTypeFromCode(packed[o++] as number) ?? "secp256k1";
    const publicKey = field();
    const signature = field();
    const length = view.getUint32(o);
    o += 4;
    const message = at(o, length);
    o += length;
    jobs.push({ keyType, publicKey, signature, payload: new MessagePayload(message) });
  }
  return jobs;
}
