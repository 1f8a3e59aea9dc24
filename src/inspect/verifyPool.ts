import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { packJobs, type VerifyJob } from "./verifyJobs.js";
import { verifySignature } from "../crypto/verify.js";

export type { VerifyJob } from "./verifyJobs.js";

export interface VerifyPoolOptions {
  /** Worker threads; 0 verifies on the calling thread. Default: cores - 1 (so 0 on one core). */
  readonly size: number;
  /** Batches smaller than this are verified inline: posting them would cost more than it saves. */
  readonly minParallelBatch: number;
}

export function defaultVerifyPoolOptions(): VerifyPoolOptions {
  return { size: Math.max(0, availableParallelism() - 1), minParallelBatch: 16 };
}

/** Chunks a batch is cut into per worker, at least MIN_CHUNK jobs each (posting one costs about as much as a few verifications). */
const CHUNKS_PER_WORKER = 16;
const MIN_CHUNK = 64;
/** Chunks posted to a worker ahead of its answers, so it never idles between two. */
const IN_FLIGHT_PER_WORKER = 2;

interface Pending {
  readonly resolve: (results: boolean[]) => void;
  readonly jobs: readonly VerifyJob[];
}

interface PoolWorker {
  readonly worker: Worker;
  readonly pending: Map<number, Pending>;
  /** Set when the worker has loaded its module (its first message). */
  ready: boolean;
  /** Resolves true once loaded, false if it died before. */
  readonly loaded: Promise<boolean>;
}

const verifyInline = (jobs: readonly VerifyJob[]): boolean[] =>
  jobs.map((j) => verifySignature(j.keyType, j.publicKey, j.signature, j.payload));

// Built code runs the compiled worker. Tests and tsx run from the TypeScript source, where a
// worker's entry module cannot be TypeScript (loaders registered by --import do not apply to
// it): a one-line bootstrap registers tsx inside the worker, then imports the source.
const fromSource = import.meta.url.endsWith(".ts");
const WORKER_URL = new URL(fromSource ? "./verifyWorker.ts" : "./verifyWorker.js", import.meta.url);
const SOURCE_BOOTSTRAP = `import("tsx/esm/api").then(({ register }) => { register(); return import(${JSON.stringify(WORKER_URL.href)}); });`;

/** A verifier holds one batch at a time: a small heap (V8 would size it for the whole machine). */
const WORKER_LIMITS = { maxOldGenerationSizeMb: 48, maxYoungGenerationSizeMb: 8 };

function newWorker(): Worker {
  return fromSource ? new Worker(SOURCE_BOOTSTRAP, { eval: true, resourceLimits: WORKER_LIMITS }) : new Worker(WORKER_URL, { resourceLimits: WORKER_LIMITS });
}

/**
 * A pool of worker threads that verify batches of signatures in parallel. A batch is split
 * evenly across the ready workers; the main thread stays free for HTTP, admission and blocks.
 * A worker that dies has its pending jobs verified inline, and is replaced if it had worked;
 * one that cannot even load is not (it would fail again), and the pool verifies with fewer.
 */
export class VerifyPool {
  private workers: PoolWorker[] = [];
  private nextId = 1;
  private running = false;

  constructor(private readonly options: VerifyPoolOptions = defaultVerifyPoolOptions()) {}

  /** Workers that have loaded and take jobs. */
  get size(): number {
    return this.readyWorkers().length;
  }

  /** Whether some worker takes jobs; when none does, every batch is verified on the calling thread. */
  get parallel(): boolean {
    for (const w of this.workers) if (w.ready) return true;
    return false;
  }

  private readyWorkers(): PoolWorker[] {
    return this.workers.filter((w) => w.ready);
  }

  /** Resolves, once every started worker has loaded or failed to, with the number ready. */
  async waitReady(): Promise<number> {
    await Promise.all(this.workers.map((w) => w.loaded));
    return this.size;
  }

  /** Signatures posted to the workers and not yet answered (utilisation: inFlight / size). */
  get inFlight(): number {
    let n = 0;
    for (const w of this.workers) for (const p of w.pending.values()) n += p.jobs.length;
    return n;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    for (let i = 0; i < this.options.size; i++) this.workers.push(this.spawn());
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    const workers = this.workers;
    this.workers = [];
    await Promise.all(workers.map((w) => w.worker.terminate()));
    for (const w of workers) for (const p of w.pending.values()) p.resolve(verifyInline(p.jobs));
  }

  private spawn(): PoolWorker {
    const worker = newWorker();
    let settle!: (loaded: boolean) => void;
    const entry: PoolWorker = { worker, pending: new Map(), ready: false, loaded: new Promise((resolve) => (settle = resolve)) };
    worker.unref();
    worker.on("message", (message: { ready: true } | { id: number; results: boolean[] }) => {
      if ("ready" in message) {
        entry.ready = true;
        settle(true);
        return;
      }
      const pending = entry.pending.get(message.id);
      entry.pending.delete(message.id);
      pending?.resolve(message.results);
    });
    const fail = (): void => {
      settle(false);
      const index = this.workers.indexOf(entry);
      const replace = this.running && entry.ready;
      if (index >= 0) this.workers.splice(index, 1, ...(replace ? [this.spawn()] : []));
      for (const p of entry.pending.values()) p.resolve(verifyInline(p.jobs));
      entry.pending.clear();
    };
    worker.once("error", fail);
    worker.once("exit", () => {
      if (this.running && this.workers.includes(entry)) fail();
    });
    return entry;
  }

  /**
   * Verifies every job; results in the same order. Never rejects: a failed signature is `false`.
   * The batch is cut into chunks that the workers pull as they finish, IN_FLIGHT_PER_WORKER at
   * a time so none idles between two: a worker slowed by a busy core takes fewer chunks
   * instead of holding up the whole batch.
   */
  async verify(jobs: readonly VerifyJob[]): Promise<boolean[]> {
    if (jobs.length < this.options.minParallelBatch || !this.parallel) return verifyInline(jobs);
    const workers = this.readyWorkers();
    const results = new Array<boolean>(jobs.length);
    const size = Math.max(MIN_CHUNK, Math.ceil(jobs.length / (workers.length * CHUNKS_PER_WORKER)));
    let next = 0;
    const lane = async (w: PoolWorker): Promise<void> => {
      while (next < jobs.length) {
        const start = next;
        const part = jobs.slice(start, start + size);
        next += part.length;
        // A worker that died meanwhile (its chunks were verified inline) or a stopped pool takes no more.
        const valid = this.workers.includes(w) ? await this.post(w, part) : verifyInline(part);
        for (let k = 0; k < part.length; k++) results[start + k] = valid[k] === true;
      }
    };
    const lanes: Array<Promise<void>> = [];
    for (let k = 0; k < IN_FLIGHT_PER_WORKER; k++) for (const w of workers) lanes.push(lane(w));
    await Promise.all(lanes);
    return results;
  }

  private post(w: PoolWorker, jobs: readonly VerifyJob[]): Promise<boolean[]> {
    return new Promise<boolean[]>((resolve) => {
      const id = this.nextId++;
      w.pending.set(id, { resolve, jobs });
      const packed = packJobs(jobs);
      w.worker.postMessage({ id, packed }, [packed.buffer]);
    });
  }
}
