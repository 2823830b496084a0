import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";

/** The workerd process Miniflare started for this benchmark (a child of this Node process). */
export function workerdPid(): number {
  const children = execFileSync("pgrep", ["-P", String(process.pid)], { encoding: "utf8" })
    .trim()
    .split("\n");
  const pid = children
    .map(Number)
    .find((candidate) => readFileSync(`/proc/${candidate}/cmdline`, "utf8").includes("workerd"));
  if (!pid) throw new Error("no workerd child process found");
  return pid;
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
