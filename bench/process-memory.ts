import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";

/** The workerd process Miniflare started for this benchmark (a child of this Node process). */
export function workerdPid(): number {
  const [pid] = workerdPids();
  if (!pid) throw new Error("no workerd child process found");
  return pid;
}

/** Every workerd process this Node process has started (one per Miniflare instance). */
export function workerdPids(): number[] {
  let children: string;
  try {
    children = execFileSync("pgrep", ["-P", String(process.pid)], { encoding: "utf8" });
  } catch {
    return []; // pgrep exits 1 when there is none
  }
  return children
    .trim()
    .split("\n")
    .map(Number)
    .filter((candidate) => readFileSync(`/proc/${candidate}/cmdline`, "utf8").includes("workerd"));
}

export function residentBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
}

/** Runs `work` while sampling the process's resident memory every few milliseconds; answers the peak. */
export async function peakResidentDuring<T>(pid: number, work: () => Promise<T>): Promise<{ result: T; peak: number }> {
  let peak = residentBytes(pid);
  const timer = setInterval(() => {
    peak = Math.max(peak, residentBytes(pid));
  }, 5);
  try {
    const result = await work();
    return { result, peak: Math.max(peak, residentBytes(pid)) };
  } finally {
    clearInterval(timer);
  }
}
