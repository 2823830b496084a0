import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { unstable_getMiniflareWorkerOptions } from "wrangler";
import { ensureDevSecrets } from "../../scripts/dev-secrets.ts";

// wrangler checks wrangler.toml's required secrets against a .dev.vars beside the config whenever there
// is one, `npm test` included (the test integration reads the config the same way). The file `npm run
// dev` writes must satisfy that check, or every test file warns "Missing required secrets".
const root = fileURLToPath(new URL("../..", import.meta.url));
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "cloud-notes-secrets-"));
  // The project's own config, beside a .dev.vars of the test's own.
  const config = readFileSync(join(root, "wrangler.toml"), "utf8").replace(
    /^main = "(.*)"$/m,
    (_, main) => `main = ${JSON.stringify(join(root, main))}`,
  );
  writeFileSync(join(dir, "wrangler.toml"), config);
  vi.stubEnv("WRANGLER_LOG", "warn");
});

afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
  rmSync(dir, { recursive: true, force: true });
});

/** What wrangler warns while reading the config the way the test integration does, and its bindings. */
function readConfigAsTestsDo() {
  const warnings: string[] = [];
  for (const method of ["warn", "error"] as const) {
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => void warnings.push(args.join(" ")));
  }
  const { workerOptions } = unstable_getMiniflareWorkerOptions(join(dir, "wrangler.toml"));
  return { warnings, bindings: Object.keys(workerOptions.bindings ?? {}) };
}

describe("the .dev.vars npm run dev writes", () => {
  it("declares every secret wrangler.toml requires, DATABASE_URL empty", () => {
    expect(ensureDevSecrets(join(dir, ".dev.vars"))).toEqual(["PASSWORD_PEPPER", "JWT_SECRETS", "DATABASE_URL"]);
    expect(readFileSync(join(dir, ".dev.vars"), "utf8")).toMatch(/^DATABASE_URL=""$/m);
    const { warnings, bindings } = readConfigAsTestsDo();
    expect(warnings).toEqual([]);
    expect(bindings).toEqual(expect.arrayContaining(["DATABASE_URL", "PASSWORD_PEPPER", "JWT_SECRETS"]));
  });

  it("gains the DATABASE_URL declaration when written before it, keeping what is there", () => {
    const older = '# Local secrets for wrangler dev. Never commit.\nPASSWORD_PEPPER="kept"\nJWT_SECRETS="dev-1:kept"\n';
    writeFileSync(join(dir, ".dev.vars"), older);
    expect(ensureDevSecrets(join(dir, ".dev.vars"))).toEqual(["DATABASE_URL"]);
    expect(readFileSync(join(dir, ".dev.vars"), "utf8").startsWith(older)).toBe(true);
    expect(readConfigAsTestsDo().warnings).toEqual([]);
    expect(ensureDevSecrets(join(dir, ".dev.vars"))).toEqual([]);
  });

  it("keeps a database URL the developer put there", () => {
    const mine = 'DATABASE_URL="postgres://me@example.neon.tech/notes"\n';
    writeFileSync(join(dir, ".dev.vars"), mine);
    expect(ensureDevSecrets(join(dir, ".dev.vars"))).toEqual(["PASSWORD_PEPPER", "JWT_SECRETS"]);
    expect(readFileSync(join(dir, ".dev.vars"), "utf8").startsWith(mine)).toBe(true);
  });
});
