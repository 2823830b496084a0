import { z } from "zod";
import { LoggableError } from "./lib/loggable-error";
import type { SigningKeys } from "./lib/tokens";

const MIN_SECRET_LENGTH = 32;

const signingKeys = z.string({ error: "is required" }).transform((value, ctx): SigningKeys => {
  const keys = value
    .split(",")
    .map((entry) => entry.trim())
    .filter(Boolean)
    .map((entry) => {
      const separator = entry.indexOf(":");
      return { kid: entry.slice(0, separator), secret: entry.slice(separator + 1) };
    });
  const wellFormed = keys.every((key) => /^[\w-]{1,32}$/.test(key.kid) && key.secret.length >= MIN_SECRET_LENGTH);
  const unique = new Set(keys.map((key) => key.kid)).size === keys.length;
  if (keys.length === 0 || !wellFormed || !unique) {
    ctx.addIssue({
      code: "custom",
      message: `must be "kid:secret" pairs separated by commas, unique kids, secrets of ${MIN_SECRET_LENGTH}+ characters`,
    });
    return z.NEVER;
  }
  return keys as SigningKeys;
});

const seconds = (fallback: number, max: number) => z.coerce.number().int().min(60).max(max).default(fallback);
const MiB = 1024 * 1024;
const bytes = (fallback: number, max: number) => z.coerce.number().int().min(1).max(max).default(fallback);

/** Secrets and local-only settings: not in wrangler.toml, so `wrangler types` cannot describe them. */
const settingsSchema = z.object({
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/, error: "must be a postgres:// connection string" }),
  // host:port of scripts/local-db's Neon stand-in. Set only by `npm run dev` and the tests, never in production.
  LOCAL_NEON_ENDPOINT: z
    .string()
    .regex(/^[\w.-]+:\d+$/, "must be host:port")
    .optional(),
  // Set only by `npm run dev` and the tests: webhooks may go to http:// URLs on this machine (a local
  // receiver). Deployed workers never have it, and their global_fetch_strictly_public flag (wrangler.toml)
  // would keep such a delivery from reaching this machine's network anyway.
  WEBHOOK_LOCAL_RECEIVERS: z.stringbool().default(false),
  PASSWORD_PEPPER: z
    .string({ error: "is required" })
    .min(MIN_SECRET_LENGTH, `must be at least ${MIN_SECRET_LENGTH} characters`),
  // The first key signs new access tokens; all of them verify, which is how a key is rotated.
  JWT_SECRETS: signingKeys,
  ACCESS_TOKEN_TTL_SECONDS: seconds(15 * 60, 24 * 60 * 60),
  REFRESH_TOKEN_TTL_SECONDS: seconds(30 * 24 * 60 * 60, 365 * 24 * 60 * 60),
  // A refresh token presented again this soon after its rotation is a client retrying a lost answer
  // (RFC 9700 4.14.2), not a replay: it gets a fresh token instead of revoking the sign-in. 0 turns it off.
  REFRESH_REUSE_GRACE_SECONDS: z.coerce.number().int().min(0).max(300).default(30),
  // How long one database call (or one interactive transaction, connect to commit) may take before the
  // request gives up with 503. Neon wakes a suspended compute in well under a second.
  DATABASE_TIMEOUT_MS: z.coerce.number().int().min(100).max(30_000).default(5_000),
  // Workers accept request bodies of at most 500 MB (Enterprise), 100 MB on Free and Pro.
  MAX_ATTACHMENT_BYTES: bytes(25 * MiB, 500 * MiB),
  USER_STORAGE_QUOTA_BYTES: bytes(1024 * MiB, Number.MAX_SAFE_INTEGER),
  // An import's zip. Workers take request bodies of at most 100 MB on Free and Pro: the default is
  // that; Enterprise accounts (500 MB) may raise it.
  MAX_IMPORT_BYTES: bytes(100_000_000, 500_000_000),
});

/** As the runtime hands them over: text, validated by configFrom(). */
export type Settings = Partial<Record<keyof z.input<typeof settingsSchema>, string>>;
export type Bindings = Env & Settings;
export type Config = z.output<typeof settingsSchema>;

export class ConfigError extends LoggableError {
  override name = "ConfigError";
}

const parsed = new WeakMap<object, Config>();

/** Validates the worker's settings once per env object, naming every setting that is missing or wrong. */
export function configFrom(env: Bindings): Config {
  const cached = parsed.get(env);
  if (cached) return cached;
  const result = settingsSchema.safeParse(env);
  if (!result.success) {
    const names = result.error.issues.map((issue) => `${issue.path.join(".")} (${issue.message})`);
    throw new ConfigError(`The worker is misconfigured: ${names.join(", ")}.`);
  }
  parsed.set(env, result.data);
  return result.data;
}

/** CORS_ORIGINS from wrangler.toml: "*" or a comma-separated list of exact origins. */
export function allowedOrigins(env: Pick<Env, "CORS_ORIGINS">): string[] {
  return (env.CORS_ORIGINS || "*")
    .split(",")
    .map((origin) => origin.trim())
    .filter(Boolean);
}
