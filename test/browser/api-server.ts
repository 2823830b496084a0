// Global setup of `npm run test:browser`: `npm run dev` (scripts/dev.ts) on free ports with a data directory
// and secrets of its own, so it never meets the developer's server, .local/ or .dev.vars. Stopped after the
// run, its whole process group: the runner then stops wrangler, workerd and PostgreSQL itself.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, rmSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { TestProject } from "vitest/node";
import { isolatedDevEnvironment } from "../node/isolated-dev.ts";
import { CHROMIUM } from "./chromium.ts";

declare module "vitest" {
  export interface ProvidedContext {
    apiUrl: string;
  }
}

const devRunner = fileURLToPath(new URL("../../scripts/dev.ts", import.meta.url));
const STARTUP_MS = 120_000;
const STOP_GRACE_MS = 15_000;

export default async function setup(project: TestProject) {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`No browser at ${CHROMIUM}: install Debian's chromium (apt-get install chromium) or set CHROMIUM.`);
  }
  const { dataDir, port, env } = await isolatedDevEnvironment("cloud-notes-browser-");
  const server = spawn(process.execPath, [devRunner], { env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  server.stdout?.on("data", (chunk) => (output += chunk));
  server.stderr?.on("data", (chunk) => (output += chunk));

  const stop = async () => {
    await stopGroup(server);
    rmSync(dataDir, { recursive: true, force: true });
  };
  const apiUrl = `http://127.0.0.1:${port}`;
  if (!(await healthy(apiUrl, server))) {
    await stop();
    throw new Error(`npm run dev did not answer ${apiUrl}/health within ${STARTUP_MS / 1000} s:\n${output}`);
  }
  project.provide("apiUrl", apiUrl);
  return stop;
}

async function healthy(apiUrl: string, server: ChildProcess): Promise<boolean> {
  for (const started = Date.now(); Date.now() - started < STARTUP_MS && server.exitCode === null; ) {
    const response = await fetch(`${apiUrl}/health`).catch(() => undefined);
    if (response?.status === 200) return true;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return false;
}

/** SIGTERM to the runner's process group, then SIGKILL if it has not exited within the grace. */
async function stopGroup(server: ChildProcess): Promise<void> {
  const group = server.pid;
  if (group === undefined || server.exitCode !== null || server.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => server.once("exit", () => resolve()));
  const signal = (name: NodeJS.Signals) => {
    try {
      process.kill(-group, name);
    } catch {
      // already gone
    }
  };
  signal("SIGTERM");
  const timer = setTimeout(() => signal("SIGKILL"), STOP_GRACE_MS);
  await exited;
  clearTimeout(timer);
}
