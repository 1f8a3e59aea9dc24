import { spawn, type ChildProcess } from "node:child_process";
import type { DevnetNodePlan } from "./devnetPlan.js";
import { prefixLines } from "./devnetLogs.js";

/** A node process `attesta devnet` started, and how it ended once it has. */
export interface NodeProcess {
  readonly name: string;
  readonly pid: number;
  readonly child: ChildProcess;
  /** Resolves when the process has exited and its output is drained. */
  readonly ended: Promise<NodeExit>;
}

export interface NodeExit {
  readonly name: string;
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export const isRunning = (p: NodeProcess): boolean => p.child.exitCode === null && p.child.signalCode === null;

/**
 * Starts one node as `plan.command`, its stdout and stderr copied line by line to `write`
 * behind `prefix`. The child gets its own process group (detached), so a Ctrl-C in the terminal
 * reaches the devnet alone, which then stops each node once, with SIGTERM.
 */
export function spawnNode(plan: DevnetNodePlan, prefix: string, write: (text: string) => void, env: NodeJS.ProcessEnv): NodeProcess {
  const [file, ...args] = plan.command;
  if (file === undefined) throw new RangeError(`${plan.name}: empty command`);
  const child = spawn(file, args, { env, stdio: ["ignore", "pipe", "pipe"], detached: true });
  if (child.pid === undefined) {
    // spawn failed synchronously enough to have no pid (ENOENT, EACCES): the error event follows.
    child.once("error", () => undefined);
    throw new Error(`${plan.name}: could not start ${file}`);
  }
  const exited = new Promise<NodeExit>((resolve) => {
    child.once("error", () => resolve({ name: plan.name, code: null, signal: null }));
    child.once("exit", (code, signal) => resolve({ name: plan.name, code, signal }));
  });
  const drained = Promise.all([prefixLines(child.stdout!, prefix, write), prefixLines(child.stderr!, prefix, write)]);
  return { name: plan.name, pid: child.pid, child, ended: Promise.all([exited, drained]).then(([exit]) => exit) };
}

/** Sends `signal` to a node still running (by its pid); an already-gone process is not an error. */
export function signalNode(p: NodeProcess, signal: NodeJS.Signals): void {
  if (!isRunning(p)) return;
  try {
    process.kill(p.pid, signal);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ESRCH") throw err;
  }
}

/**
 * Stops every node still running: SIGTERM to each, then SIGKILL to those still alive after
 * `graceMs`. Resolves with how each one ended.
 */
export async function stopNodes(nodes: readonly NodeProcess[], graceMs: number): Promise<NodeExit[]> {
  for (const p of nodes) signalNode(p, "SIGTERM");
  let timer: NodeJS.Timeout | undefined;
  const all = Promise.all(nodes.map((p) => p.ended));
  const timedOut = new Promise<"timeout">((resolve) => (timer = setTimeout(() => resolve("timeout"), graceMs)));
  try {
    if ((await Promise.race([all, timedOut])) === "timeout") {
      for (const p of nodes) signalNode(p, "SIGKILL");
    }
    return await all;
  } finally {
    clearTimeout(timer);
  }
}

/** How long stopped nodes get to close their databases before SIGKILL. */
export const STOP_GRACE_MS = 10_000;

const STOP_SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

export const describeExit = (e: NodeExit): string => (e.signal !== null ? `signal ${e.signal}` : `code ${e.code ?? "unknown"}`);

/**
 * Keeps the nodes running until SIGINT, SIGTERM or SIGHUP (then stops them all, resolving with
 * exit status 0), or until every node has exited on its own (status 1). A node that exits on
 * its own is reported through `say`; the others keep running. A second signal while stopping
 * kills the nodes at once.
 */
export function superviseNodes(nodes: readonly NodeProcess[], say: (line: string) => void, graceMs = STOP_GRACE_MS): Promise<number> {
  return new Promise((resolve) => {
    let stopping = false;
    let running = nodes.length;
    const finish = (status: number): void => {
      for (const s of STOP_SIGNALS) process.off(s, onSignal);
      resolve(status);
    };
    const onSignal = (signal: NodeJS.Signals): void => {
      if (stopping) {
        say(`${signal} again: killing the nodes`);
        for (const p of nodes) signalNode(p, "SIGKILL");
        return;
      }
      stopping = true;
      say(`${signal}: stopping ${nodes.filter(isRunning).length} node(s)`);
      stopNodes(nodes, graceMs).then(
        () => {
          say("all nodes stopped");
          finish(0);
        },
        (err: unknown) => {
          say(`stopping failed: ${(err as Error).message}`);
          finish(1);
        },
      );
    };
    for (const s of STOP_SIGNALS) process.on(s, onSignal);
    for (const p of nodes) {
      void p.ended.then((exit) => {
        running--;
        if (stopping) {
          say(`${exit.name} stopped (${describeExit(exit)})`);
          return;
        }
        say(`${exit.name} (pid ${p.pid}) exited on its own (${describeExit(exit)}); ${running} node(s) still running`);
        if (running === 0) {
          say("every node has exited");
          finish(1);
        }
      });
    }
  });
}
