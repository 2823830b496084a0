import { readFileSync } from "node:fs";

// Linux counts a process's CPU time in clock ticks of 1/100 s (CLK_TCK, 100 on every Linux we run).
const TICKS_PER_SECOND = 100;

/** CPU time (user + system, every thread) the process has used so far, in milliseconds. */
export function cpuMilliseconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // Fields after the command name, which is in parentheses and may contain spaces.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const userTicks = Number(fields[11]);
  const systemTicks = Number(fields[12]);
  return ((userTicks + systemTicks) * 1000) / TICKS_PER_SECOND;
}
