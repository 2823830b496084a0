import { chmodSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "../../scripts/local-db/free-port.ts";

/**
 * The environment for an `npm run dev` (scripts/dev.ts) of a test's own: free ports, and a data
 * directory and secrets file in a fresh temporary directory, so it never meets the developer's server,
 * .local/ or .dev.vars, and always the embedded PostgreSQL (never a DATABASE_URL from the caller).
 */
export async function isolatedDevEnvironment(prefix: string) {
  const dataDir = mkdtempSync(join(tmpdir(), prefix));
  chmodSync(dataDir, 0o755); // PostgreSQL runs as an unprivileged user when we are root
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(port),
    LOCAL_POSTGRES_PORT: String(await freePort()),
    LOCAL_NEON_PORT: String(await freePort()),
    LOCAL_DATA_DIR: dataDir,
    DEV_VARS_FILE: join(dataDir, "dev-secrets.vars"),
  };
  delete env.DATABASE_URL;
  return { dataDir, port, env };
}
