import { z } from "zod";

/** Secrets and local-only settings: not in wrangler.toml, so `wrangler types` cannot describe them. */
const settingsSchema = z.object({
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/, error: "must be a postgres:// connection string" }),
  // host:port of scripts/local-db's Neon stand-in. Set only by `npm run dev` and the tests, never in production.
  LOCAL_NEON_ENDPOINT: z
    .string()
    .regex(/^[\w.-]+:\d+$/, "must be host:port")
    .optional(),
});

export type Settings = z.input<typeof settingsSchema>;
export type Bindings = Env & Settings;
export type Config = z.output<typeof settingsSchema>;

export class ConfigError extends Error {}

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
