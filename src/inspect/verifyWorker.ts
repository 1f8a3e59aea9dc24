// A verification worker: verifies batches of signatures for the VerifyPool, off the main thread.
import { parentPort } from "node:worker_threads";
import { verifySignature } from "../crypto/verify.js";
import { unpackJobs } from "./verifyJobs.js";

parentPort?.on("message", ({ id, packed }: { id: number; packed: Uint8Array }) => {
  const results = unpackJobs(packed).map((j) => verifySignature(j.keyType, j.publicKey, j.signature, j.payload));
  parentPort?.postMessage({ id, results });
});

// Loaded: the pool sends jobs only to workers that said so.
parentPort?.postMessage({ ready: true });
