import { version } from "../../package.json";

export type VersionBinding = Partial<Pick<Env, "CF_VERSION_METADATA">>;

/**
 * What runs, as /health reports it and every log line carries it: `version` is the release
 * (package.json's version, what /health has always called `version`); `deployment` is the Worker
 * version Cloudflare deployed, from the version metadata binding: its id (what `wrangler versions list`
 * and `wrangler rollback` name), the tag given at upload (null without one) and when it was uploaded.
 * Locally wrangler and the tests make up a random id at start. Null without the binding, as in a worker
 * bundle run by hand or a router tested without bindings.
 */
export function runningVersion(env: VersionBinding | undefined) {
  const metadata = env?.CF_VERSION_METADATA;
  const deployment = metadata?.id
    ? { id: metadata.id, tag: metadata.tag || null, timestamp: metadata.timestamp }
    : null;
  return { version, deployment };
}
