import { fileURLToPath } from "node:url";
import { createTestHarness } from "wrangler";
import { generatedSecrets } from "../dev-secrets.ts";

const wranglerConfig = fileURLToPath(new URL("../../wrangler.toml", import.meta.url));

/**
 * The OpenAPI document exactly as the worker serves it, pretty-printed as it is committed. wrangler bundles
 * and runs the worker from wrangler.toml, as `npm run dev` does. Serving the document touches no database:
 * the secrets are there only because wrangler refuses to start without the ones wrangler.toml requires.
 */
export async function liveDocument(): Promise<string> {
  // Offline, miniflare's lookup of the request.cf placeholder prints a stack trace; it is never needed here.
  process.env.CLOUDFLARE_CF_FETCH_ENABLED = "false";
  const secrets = { ...generatedSecrets(), DATABASE_URL: "postgres://unused@127.0.0.1:1/none" };
  const server = createTestHarness({ workers: [{ configPath: wranglerConfig, secrets }] });
  try {
    await server.listen();
    const response = await server.fetch("/openapi.json");
    if (!response.ok) throw new Error(`GET /openapi.json answered ${response.status}: ${await response.text()}`);
    return `${JSON.stringify(await response.json(), null, 2)}\n`;
  } finally {
    await server.close();
  }
}
