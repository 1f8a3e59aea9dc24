import { afterEach, describe, expect, it } from "vitest";
import { generateKeyPair, signPayload } from "../../../src/crypto/keys.js";
import { KEY_TYPES } from "../../../src/crypto/keyTypes.js";
import { signedPayload } from "../../../src/crypto/payload.js";
import { utf8 } from "../../../src/crypto/bytes.js";
import { verifySignature } from "../../../src/crypto/verify.js";
import { VerifyPool, type VerifyJob } from "../../../src/inspect/verifyPool.js";
import { packJobs, unpackJobs } from "../../../src/inspect/verifyJobs.js";

/** 90 jobs over the three key types, every third one tampered with. */
function jobs(): VerifyJob[] {
  return Array.from({ length: 90 }, (_, i) => {
    const keyType = KEY_TYPES[i % 3]!;
    const key = generateKeyPair(keyType);
    const payload = signedPayload(utf8(`reading ${i}`));
    const signature = signPayload(keyType, key.secretKey, payload);
    if (i % 3 === 2) signature[7]! ^= 1;
    return { keyType, publicKey: key.publicKey, signature, payload };
  });
}

const inline = (batch: readonly VerifyJob[]): boolean[] => batch.map((j) => verifySignature(j.keyType, j.publicKey, j.signature, j.payload));

describe("VerifyPool", () => {
  let pool: VerifyPool | undefined;
  afterEach(async () => pool?.stop());

  /** A started pool of `size` workers, every one loaded (from the TypeScript source here, through the tsx bootstrap). */
  async function started(size: number): Promise<VerifyPool> {
    pool = new VerifyPool({ size, minParallelBatch: 1 });
    pool.start();
    expect(await pool.waitReady()).toBe(size);
    return pool;
  }

  it("gives, from worker threads, the same verdicts as verifying inline, in order", async () => {
    const p = await started(2);
    const batch = jobs();
    const expected = inline(batch);
    expect(expected.filter((ok) => !ok)).toHaveLength(30);
    const answer = p.verify(batch);
    expect(p.inFlight).toBe(batch.length); // posted to the workers, not verified inline
    expect(await answer).toEqual(expected);
    expect(p.inFlight).toBe(0);
  });

  it("keeps the order of a batch cut into many chunks pulled by the workers as they finish", async () => {
    const p = await started(2);
    // 1,080 jobs: more chunks than two per worker, so some are posted only as others come back.
    const base = jobs();
    const batch = Array.from({ length: 12 }, () => base).flat();
    expect(await p.verify(batch)).toEqual(inline(batch));
    expect(p.inFlight).toBe(0);
  });

  it("verifies inline when it has no workers, and after it is stopped", async () => {
    pool = new VerifyPool({ size: 1, minParallelBatch: 1 });
    const batch = jobs().slice(0, 9);
    const expected = inline(batch);
    expect(await pool.verify(batch)).toEqual(expected);
    pool.start();
    expect(await pool.waitReady()).toBe(1);
    await pool.stop();
    expect(pool.size).toBe(0);
    expect(await pool.verify(batch)).toEqual(expected);
  });
});

describe("verify jobs on the wire", () => {
  it("unpack gives back every field of every job, whatever buffers the fields were views into", () => {
    const batch = jobs();
    const slab = new Uint8Array(4096).fill(7);
    slab.set(batch[0]!.publicKey, 100); // a field that is a view into a larger buffer
    const withView = [{ ...batch[0]!, publicKey: slab.subarray(100, 100 + batch[0]!.publicKey.length) }, ...batch.slice(1)];
    const back = unpackJobs(packJobs(withView));
    expect(back.map((j) => [j.keyType, [...j.publicKey], [...j.signature], [...j.payload.digest], [...j.payload.message]])).toEqual(
      withView.map((j) => [j.keyType, [...j.publicKey], [...j.signature], [...j.payload.digest], [...j.payload.message]]),
    );
  });
});
