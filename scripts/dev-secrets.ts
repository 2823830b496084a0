import { randomBytes } from "node:crypto";
import { appendFileSync, existsSync, readFileSync } from "node:fs";

/** The worker's secrets that have a safe random default for local development. */
export function generatedSecrets(): Record<string, string> {
  const secret = () => randomBytes(32).toString("base64url");
  return { PASSWORD_PEPPER: secret(), JWT_SECRETS: `dev-1:${secret()}` };
}

/** Writes any missing local secret into .dev.vars (git-ignored), keeping whatever is there. */
export function ensureDevSecrets(file: string): string[] {
  const existing = existsSync(file) ? readFileSync(file, "utf8") : "";
  const missing = Object.entries(generatedSecrets()).filter(([name]) => !new RegExp(`^${name}=`, "m").test(existing));
  if (missing.length === 0) return [];
  const lines = missing.map(([name, value]) => `${name}="${value}"`).join("\n");
  const header = existing ? (existing.endsWith("\n") ? "" : "\n") : "# Local secrets for wrangler dev. Never commit.\n";
  appendFileSync(file, `${header}${lines}\n`, { mode: 0o600 });
  return missing.map(([name]) => name);
}
