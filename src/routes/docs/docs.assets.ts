import type { Handler } from "hono";
import type { AppEnv } from "../../lib/router";
import { onNotFound } from "../../middleware/error-handler";

/**
 * GET /docs/assets/*: the readers' files, from wrangler.toml's [assets] (run_worker_first, so every
 * answer passes the app's middleware). A path with no file is the API's own 404 problem.
 */
export const docsAsset: Handler<AppEnv> = async (c) => {
  const asset = await c.env.ASSETS.fetch(c.req.raw);
  if (asset.status === 404) return onNotFound(c);
  // A copy: a fetched response's headers cannot be changed, and the app's middleware adds its own.
  return new Response(asset.body, asset);
};
