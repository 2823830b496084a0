// `npm run -s secrets:generate`: a deployed environment's secrets, as dotenv lines on stdout, which
// `wrangler deploy --secrets-file` and `wrangler secret bulk` read and a person can copy into
// `wrangler secret put`. Guidance goes to stderr, so redirecting stdout to a file keeps only the values.
// docs/DEPLOY.md says when to use which mode.
import { randomBytes } from "node:crypto";
import { parseArgs } from "node:util";
import { generatedSecrets, newSigningKey } from "./dev-secrets.ts";

/** A key id that tells when the key was made (it travels in every token's header) and never repeats. */
export function releaseKeyId(now = new Date()): string {
  return `${now.toISOString().slice(0, 10).replaceAll("-", "")}-${randomBytes(3).toString("hex")}`;
}

/** PASSWORD_PEPPER and JWT_SECRETS for a new environment, each environment its own. */
export function releaseSecrets(): Record<string, string> {
  return generatedSecrets(releaseKeyId());
}

function signingKeys(jwtSecrets: string): string[] {
  const keys = jwtSecrets
    .split(",")
    .map((key) => key.trim())
    .filter(Boolean);
  if (keys.length === 0) throw new Error("Set JWT_SECRETS to the value the environment runs now.");
  return keys;
}

/** Rotation, step 1: a new key signs from now on, and the current ones still verify what they signed. */
export function withNewSigningKey(jwtSecrets: string): string {
  return [newSigningKey(releaseKeyId()), ...signingKeys(jwtSecrets)].join(",");
}

/** Rotation, step 2, once every access token the old keys signed has expired: the signing key alone. */
export function withOldKeysRetired(jwtSecrets: string): string {
  return signingKeys(jwtSecrets).slice(0, 1).join(",");
}

/** Dotenv lines; the values (base64url, kids of [\w-], ":" and ",") need no escaping inside quotes. */
export function asDotenv(secrets: Record<string, string>): string {
  return Object.entries(secrets)
    .map(([name, value]) => `${name}="${value}"\n`)
    .join("");
}

const MODES = {
  generate: {
    secrets: () => releaseSecrets(),
    guidance:
      "Fresh secrets for ONE environment (generate again for the other). Keep them in your password manager:\n" +
      "Cloudflare never shows a secret again, and a lost PASSWORD_PEPPER locks every account out.",
  },
  rotate: {
    secrets: (current: string) => ({ JWT_SECRETS: withNewSigningKey(current) }),
    guidance:
      "Put this JWT_SECRETS now. After one access-token lifetime (ACCESS_TOKEN_TTL_SECONDS, 15 minutes by\n" +
      "default) retire the old keys: JWT_SECRETS=<this value> npm run -s secrets:generate -- --retire",
  },
  retire: {
    secrets: (current: string) => ({ JWT_SECRETS: withOldKeysRetired(current) }),
    guidance: "Put this JWT_SECRETS: the signing key alone. Tokens the retired keys signed no longer verify.",
  },
};

function main(): void {
  const { values } = parseArgs({ options: { rotate: { type: "boolean" }, retire: { type: "boolean" } } });
  if (values.rotate && values.retire)
    throw new Error("--rotate and --retire are two steps, an access-token lifetime apart.");
  const mode = MODES[values.rotate ? "rotate" : values.retire ? "retire" : "generate"];
  // The current keys come from the environment, not the command line, which `ps` shows to everyone.
  process.stdout.write(asDotenv(mode.secrets(process.env.JWT_SECRETS ?? "")));
  console.error(`\n${mode.guidance}`);
}

if (import.meta.main) {
  try {
    main();
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  }
}
