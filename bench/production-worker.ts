// Runs a worker the way production does: bundled by `wrangler deploy --dry-run`, served by workerd through
// Miniflare, without `wrangler dev`'s proxy in front (which caps throughput well below workerd's own).
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import { convertV4MiniflareOptions, Miniflare } from "miniflare";
import { spawnWrangler } from "../scripts/wrangler.ts";
import { workerdPids } from "./process-memory.ts";

const root = fileURLToPath(new URL("..", import.meta.url));
const compatibilityDate = /compatibility_date = "([\d-]+)"/.exec(readFileSync(`${root}wrangler.toml`, "utf8"))?.[1];

export interface RunningWorker {
  url: string;
  /** The bundled script workerd runs (until stop()). */
  scriptPath: string;
  /** The workerd process serving it, whose CPU time the benchmarks read. */
  pid: number;
  /** From starting workerd to its answering: process start, script parse and top-level evaluation. */
  startMs: number;
  stop(): Promise<void>;
}

export async function startProductionWorker(options: {
  entry?: string;
  bindings?: Record<string, string>;
  /** Per-IP limits would stop a load generator on one address; the bench lifts them. */
  liftRateLimits?: boolean;
  /** The checkout to bundle (default: this one); the bench compares against an older commit this way. */
  sourceDir?: string;
  /** Built as the production environment is (the default); a profile wants readable function names. */
  minify?: boolean;
  /** Opens workerd's inspector (Chrome DevTools protocol) on this port, for CPU profiles. */
  inspectorPort?: number;
  /** A bundle made already by bundleWorker() (kept on stop), instead of bundling again. */
  bundleDir?: string;
}): Promise<RunningWorker> {
  const outdir = options.bundleDir ?? (await bundleWorker(options));
  // wrangler names the bundle after its entry file.
  const scriptPath = join(outdir, basename(options.entry ?? "src/index.ts").replace(/\.ts$/, ".js"));
  const runningBefore = workerdPids();
  const starting = performance.now();
  // Miniflare 5 takes a new options shape; the familiar v4 one converts.
  const mf = new Miniflare(
    convertV4MiniflareOptions({
      host: "127.0.0.1",
      port: 0,
      ...(options.inspectorPort ? { inspectorPort: options.inspectorPort } : {}),
      modules: true,
      modulesRoot: outdir,
      // wrangler names the bundle after its entry file.
      scriptPath,
      compatibilityDate,
      r2Buckets: ["ATTACHMENTS"],
      // As wrangler.toml: writes nudge the webhook dispatcher through this queue (nothing consumes it here).
      queueProducers: { WEBHOOK_DELIVERIES: "cloud-notes-webhooks", WEBHOOK_DEAD_LETTERS: "cloud-notes-webhooks-dead" },
      // The limits of wrangler.toml, or (liftRateLimits) none a load generator could reach.
      ratelimits: {
        AUTH_RATE_LIMITER: { namespace_id: "1001", simple: { limit: options.liftRateLimits ? 1e9 : 10, period: 60 } },
        VOTE_RATE_LIMITER: { namespace_id: "1002", simple: { limit: options.liftRateLimits ? 1e9 : 60, period: 60 } },
      },
      bindings: { CORS_ORIGINS: "*", ...options.bindings },
      // The access log of thousands of requests would bury the figures.
      handleStructuredLogs: () => {},
    }),
  );
  const url = (await mf.ready).origin;
  const startMs = performance.now() - starting;
  const pid = workerdPids().find((candidate) => !runningBefore.includes(candidate));
  if (!pid) throw new Error("the worker's workerd process was not found");
  return {
    url,
    scriptPath,
    pid,
    startMs,
    stop: async () => {
      await mf.dispose();
      if (!options.bundleDir) rmSync(outdir, { recursive: true, force: true });
    },
  };
}

/** Bundles a checkout (default: this one) into a fresh directory, as `wrangler deploy` would. */
export function bundleWorker(options: { entry?: string; sourceDir?: string; minify?: boolean } = {}): Promise<string> {
  const outdir = mkdtempSync(join(tmpdir(), "cloud-notes-bundle-"));
  const cwd = options.sourceDir ?? root;
  // As production builds it (minified, without keep_names), or for readable profiles the same unminified,
  // so a profile counts no naming call that production does not make. An older checkout without a
  // production environment gets the top level.
  const hasProduction = readFileSync(join(cwd, "wrangler.toml"), "utf8").includes("[env.production]");
  const minify = options.minify ?? true;
  const build = hasProduction
    ? ["--env", "production", ...(minify ? [] : ["--no-minify"])]
    : ["--env=", ...(minify ? ["--minify"] : [])];
  const args = ["deploy", ...(options.entry ? [options.entry] : []), "--dry-run", "--outdir", outdir, ...build];
  const child = spawnWrangler(args, { quiet: true, cwd });
  let output = "";
  child.stdout?.on("data", (chunk) => (output += chunk));
  child.stderr?.on("data", (chunk) => (output += chunk));
  return new Promise((resolve, reject) =>
    child.on("exit", (code) =>
      code === 0 ? resolve(outdir) : reject(new Error(`wrangler bundle failed:\n${output}`)),
    ),
  );
}
