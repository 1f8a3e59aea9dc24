// CPU time of processes from /proc, for benchmarks that run several: how a
// shared machine's cores were split between the nodes, the load generator and everything else.
import { readFile } from "node:fs/promises";

/** Clock ticks per second of /proc's CPU times (USER_HZ: 100 on Linux). */
const TICKS_PER_SECOND = 100;

/** A process's user + system CPU time so far, in seconds (its threads included). */
export async function cpuSeconds(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8");
  // The fields after the command name (which is in parentheses and may hold spaces): state is field 3, utime 14, stime 15.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

/** The machine's busy and total CPU time so far, in seconds over all cores (from the `cpu` line of /proc/stat). */
export async function machineCpuSeconds(): Promise<{ busy: number; total: number }> {
  const line = (await readFile("/proc/stat", "utf8")).split("\n")[0] ?? "";
  const [user, nice, system, idle, iowait, irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number) as number[];
  const busy = user! + nice! + system! + irq! + softirq! + steal!;
  return { busy: busy / TICKS_PER_SECOND, total: (busy + idle! + iowait!) / TICKS_PER_SECOND };
}

export interface CpuSplit {
  /** Each named process's CPU time over the interval as a share of one core (1 = one core busy). */
  readonly processes: Record<string, number>;
  /** This process (the load generator). */
  readonly self: number;
  /** The whole machine, in cores busy. */
  readonly machine: number;
  readonly cores: number;
}

/** Starts measuring; the returned function ends the interval and gives each process's share. */
export async function measureCpu(pids: Record<string, number>): Promise<() => Promise<CpuSplit>> {
  const read = async (): Promise<{ at: number; self: number; machine: { busy: number; total: number }; each: Record<string, number> }> => {
    const each: Record<string, number> = {};
    for (const [name, pid] of Object.entries(pids)) each[name] = await cpuSeconds(pid).catch(() => NaN);
    const u = process.cpuUsage();
    return { at: performance.now(), self: (u.user + u.system) / 1e6, machine: await machineCpuSeconds(), each };
  };
  const start = await read();
  return async () => {
    const end = await read();
    const wall = (end.at - start.at) / 1000;
    const processes: Record<string, number> = {};
    for (const name of Object.keys(pids)) processes[name] = (end.each[name]! - start.each[name]!) / wall;
    const total = end.machine.total - start.machine.total;
    return { processes, self: (end.self - start.self) / wall, machine: (end.machine.busy - start.machine.busy) / wall, cores: total / wall };
  };
}
