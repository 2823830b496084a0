import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

/**
 * The API under test: BENCH_URL if given, else a running `npm run dev` on :8787, else one started
 * here (and stopped by `stop()`), so `npm run bench` needs no other step.
 */
export async function devServer(): Promise<{ url: string; stop: () => Promise<void> }> {
  const url = process.env.BENCH_URL ?? "http://127.0.0.1:8787";
  if (await answers(url)) return { url, stop: async () => {} };
  if (process.env.BENCH_URL) throw new Error(`${url} does not answer /health`);

  const script = fileURLToPath(new URL("../scripts/dev.ts", import.meta.url));
  const child: ChildProcess = spawn(process.execPath, [script], { stdio: ["ignore", "ignore", "inherit"] });
  for (let waited = 0; !(await answers(url)); waited += 500) {
    if (waited > 120_000 || child.exitCode !== null) throw new Error("npm run dev did not come up within 2 minutes");
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return {
    url,
    stop: () =>
      new Promise((resolve) => {
        child.once("exit", () => resolve());
        child.kill("SIGINT");
      }),
  };
}

async function answers(url: string): Promise<boolean> {
  try {
    return (await fetch(`${url}/health`)).ok;
  } catch {
    return false;
  }
}
