// A verification worker: verifies batches of signatures for the VerifyPool, off the main thread.
import { parentPort } from "node:worker_threads";
import { keyTypeFromCode } from "../crypto/keyTypes.js";
import { verifySignature } from "../crypto/verify.js";
import type { WireJob } from "./verifyPool.js";

parentPort?.on("message", ({ id, jobs }: { id: number; jobs: WireJob[] }) => {
  const results = jobs.map(([keyType, publicKey, signature, message, digest]) => {
    const type = keyTypeFromCode(keyType);
    return type !== undefined && verifySignature(type, publicKey, signature, { message, digest });
  });
  parentPort?.postMessage({ id, results });
});

// Loaded: the pool sends jobs only to workers that said so.
parentPort?.postMessage({ ready: true });
