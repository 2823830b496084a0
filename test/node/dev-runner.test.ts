import { type ChildProcess, spawn } from "node:child_process";
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { freePort } from "../../scripts/local-db/free-port.ts";

// `npm run dev` as a process manager or CI runs it: no terminal, stopped with SIGTERM. Each case
// starts the whole stack on free ports with a data directory of its own, never the developer's.
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
  const dataDir = mkdtempSync(join(tmpdir(), "cloud-notes-dev-"));
  chmodSync(dataDir, 0o755); // PostgreSQL runs as an unprivileged user when we are root
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(port),
    LOCAL_POSTGRES_PORT: String(await freePort()),
    LOCAL_NEON_PORT: String(await freePort()),
    LOCAL_DATA_DIR: dataDir,
  };
  delete env.DATABASE_URL;
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

describe("npm run dev, stopped with SIGTERM", () => {
  it("stops the runner, wrangler, workerd and PostgreSQL promptly", { timeout: 150_000 }, async () => {
    const { npm, tree, output } = await startDev();
    npm.kill("SIGTERM");
    const stopped = await waitFor(() => tree.every((pid) => !alive(pid)), 10_000);
    expect(stopped, `still running: ${tree.filter(alive).join(", ")}\n${output()}`).toBe(true);
  });

  it("stops them all when PostgreSQL is already gone", { timeout: 150_000 }, async () => {
    const { npm, tree, dataDir, output } = await startDev();
    const postmaster = Number(readFileSync(join(dataDir, "postgres", "postmaster.pid"), "utf8").split("\n")[0]);
    process.kill(postmaster, "SIGKILL");
    await waitFor(() => !alive(postmaster), 5_000);
    npm.kill("SIGTERM");
    const stopped = await waitFor(() => tree.every((pid) => !alive(pid)), 15_000);
    expect(stopped, `still running: ${tree.filter(alive).join(", ")}\n${output()}`).toBe(true);
  });
});
