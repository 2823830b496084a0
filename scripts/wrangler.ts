import { type ChildProcess, spawn } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

const require = createRequire(import.meta.url);
const wranglerBin = join(dirname(require.resolve("wrangler/package.json")), "bin", "wrangler.js");

/**
 * Runs wrangler on the Node that runs this script (Node 22 from node_modules when started by `npm run`):
 * a bare `wrangler` on PATH may be a global one, or refuse to start under an older Node.
 */
export function spawnWrangler(
  args: string[],
  options: { quiet?: boolean; detached?: boolean; cwd?: string } = {},
): ChildProcess {
  return spawn(process.execPath, [wranglerBin, ...args], {
    cwd: options.cwd,
    stdio: options.quiet ? ["ignore", "pipe", "pipe"] : "inherit",
    detached: options.detached ?? false,
    // The request.cf lookup needs the internet; offline it only prints a stack trace and uses a placeholder.
    env: { CLOUDFLARE_CF_FETCH_ENABLED: "false", WRANGLER_SEND_METRICS: "false", ...process.env },
  });
}
