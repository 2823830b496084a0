import { type ChildProcess, spawn } from "node:child_process";
import { readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { isolatedDevEnvironment } from "./isolated-dev.ts";

// `npm run dev` as a process manager or CI runs it: no terminal, stopped with SIGTERM. Each case
// starts the whole stack on free ports with a data directory and secrets of its own, never the
// developer's .local/ or .dev.vars.
const root = fileURLToPath(new URL("../..", import.meta.url));
const npmCli = process.env.npm_execpath;

/** Every process below `pid`, read from /proc. */
function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const parent = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      children.set(parent, [...(children.get(parent) ?? []), Number(entry)]);
    } catch {
      // gone meanwhile
    }
  }
  const all: number[] = [];
  const visit = (id: number) => {
    for (const child of children.get(id) ?? []) {
      all.push(child);
      visit(child);
    }
  };
  visit(pid);
  return all;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return !readFileSync(`/proc/${pid}/stat`, "utf8").includes(") Z "); // a zombie has exited
  } catch {
    return false;
  }
};

async function waitFor(check: () => boolean | Promise<boolean>, ms: number): Promise<boolean> {
  for (const started = Date.now(); Date.now() - started < ms; ) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return false;
}

let running: { npm: ChildProcess; tree: number[]; dataDir: string } | undefined;

afterEach(() => {
  if (!running) return;
  for (const pid of [running.npm.pid ?? 0, ...running.tree]) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // already stopped, as it should be
    }
  }
  rmSync(running.dataDir, { recursive: true, force: true });
  running = undefined;
});

async function startDev() {
  const { dataDir, port, env } = await isolatedDevEnvironment("cloud-notes-dev-");
  const npm = npmCli
    ? spawn(process.execPath, [npmCli, "run", "dev"], { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] })
    : spawn("npm", ["run", "dev"], { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  npm.stdout?.on("data", (chunk) => (output += chunk));
  npm.stderr?.on("data", (chunk) => (output += chunk));
  running = { npm, tree: [], dataDir };
  const ready = await waitFor(async () => {
    const response = await fetch(`http://127.0.0.1:${port}/health`).catch(() => undefined);
    return response?.status === 200;
  }, 90_000);
  expect(ready, output).toBe(true);
  running.tree = descendants(npm.pid ?? 0);
  expect(running.tree.length).toBeGreaterThanOrEqual(4); // shell, dev runner, wrangler, workerd, postgres
  return { npm, tree: running.tree, dataDir, output: () => output };
}

/** The processes of the tree whose command line mentions `text`. */
function processesRunning(tree: number[], text: string): number[] {
  return tree.filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, "utf8").includes(text);
    } catch {
      return false;
    }
  });
}

const postmasterOf = (dataDir: string) =>
  Number(readFileSync(join(dataDir, "postgres", "postmaster.pid"), "utf8").split("\n")[0]);

/** Sends SIGTERM to `npm run dev` and expects every process it started gone within `ms`. */
async function expectStoppedWithin(started: Awaited<ReturnType<typeof startDev>>, ms: number) {
  const since = Date.now();
  started.npm.kill("SIGTERM");
  const stopped = await waitFor(() => started.tree.every((pid) => !alive(pid)), ms + 5_000);
  const took = Date.now() - since;
  const left = started.tree.filter(alive).join(", ");
  expect(stopped, `still running: ${left}\n${started.output()}`).toBe(true);
  expect(took, `stopped after ${took} ms\n${started.output()}`).toBeLessThan(ms);
}

// Stopping takes well under a second; the bounds below leave room for a loaded machine, and stay
// under the 5 s after which the runner kills what has not stopped, so only a polite stop passes.
describe("npm run dev, stopped with SIGTERM", () => {
  it("stops the runner, wrangler, workerd and PostgreSQL promptly", { timeout: 150_000 }, async () => {
    await expectStoppedWithin(await startDev(), 4_000);
  });

  it("stops them all as promptly when PostgreSQL is already gone", { timeout: 150_000 }, async () => {
    const started = await startDev();
    const postmaster = postmasterOf(started.dataDir);
    process.kill(postmaster, "SIGKILL");
    await waitFor(() => !alive(postmaster), 5_000);
    await expectStoppedWithin(started, 4_000);
  });

  // A part that ignores the polite signal is killed: wrangler after 5 s, PostgreSQL after 3 s.
  it("kills wrangler and workerd when wrangler does not stop", { timeout: 150_000 }, async () => {
    const started = await startDev();
    const wrangler = processesRunning(started.tree, "wrangler");
    expect(wrangler.length).toBeGreaterThan(0);
    for (const pid of wrangler) process.kill(pid, "SIGSTOP");
    await expectStoppedWithin(started, 9_000);
  });

  it("kills PostgreSQL when it does not stop", { timeout: 150_000 }, async () => {
    const started = await startDev();
    process.kill(postmasterOf(started.dataDir), "SIGSTOP");
    await expectStoppedWithin(started, 7_000);
  });
});
