import { randomBytes } from "node:crypto";
import { appendFileSync, existsSync, readFileSync } from "node:fs";

// 32 random bytes: 43 base64url characters, above the worker's 32-character minimum.
const randomSecret = () => randomBytes(32).toString("base64url");

/** One JWT_SECRETS entry, "kid:secret". */
export function newSigningKey(kid: string): string {
  return `${kid}:${randomSecret()}`;
}

/** The worker's random secrets: local development's defaults, and a release's (scripts/release-secrets.ts). */
export function generatedSecrets(signingKeyId = "dev-1"): Record<string, string> {
  return { PASSWORD_PEPPER: randomSecret(), JWT_SECRETS: newSigningKey(signingKeyId) };
}

// DATABASE_URL is declared empty: `npm run dev` then supplies the embedded database's from a second env
// file, and a Neon connection string written here is used instead. Declared, it is not "missing" to
// wrangler's check of wrangler.toml's required secrets, which reads this file in `npm test` as well.
const DATABASE_URL_LINE =
  '# Empty: `npm run dev` starts a local PostgreSQL. Set a Neon connection string to use that instead.\nDATABASE_URL=""';

/** Writes any missing local secret into .dev.vars (git-ignored), keeping whatever is there. */
export function ensureDevSecrets(file: string): string[] {
  const existing = existsSync(file) ? readFileSync(file, "utf8") : "";
  const declared = (name: string) => new RegExp(`^${name}=`, "m").test(existing);
  const missing = Object.entries(generatedSecrets())
    .filter(([name]) => !declared(name))
    .map(([name, value]) => ({ name, line: `${name}="${value}"` }));
  if (!declared("DATABASE_URL")) missing.push({ name: "DATABASE_URL", line: DATABASE_URL_LINE });
  if (missing.length === 0) return [];
  const lines = missing.map(({ line }) => line).join("\n");
  const header = existing ? (existing.endsWith("\n") ? "" : "\n") : "# Local secrets for wrangler dev. Never commit.\n";
  appendFileSync(file, `${header}${lines}\n`, { mode: 0o600 });
  return missing.map(({ name }) => name);
}
