import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { parseEnv } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningWorker, startProductionWorker } from "../../bench/production-worker.ts";

// What `npm run secrets:generate` prints must be what the worker's own settings parser (src/env.ts)
// accepts: checked by running the bundled worker on those values, not by restating the rules here.
const script = fileURLToPath(new URL("../../scripts/release-secrets.ts", import.meta.url));

function releaseSecrets(args: string[] = [], env: Record<string, string> = {}): Record<string, string | undefined> {
  const stdout = execFileSync(process.execPath, [script, ...args], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "ignore"],
    env: { ...process.env, ...env },
  });
  return parseEnv(stdout);
}

const generated = releaseSecrets();
const rotated = releaseSecrets(["--rotate"], { JWT_SECRETS: generated.JWT_SECRETS ?? "" });
const retired = releaseSecrets(["--retire"], { JWT_SECRETS: rotated.JWT_SECRETS ?? "" });
let worker: RunningWorker;

beforeAll(async () => {
  worker = await startProductionWorker({
    bindings: {
      PASSWORD_PEPPER: generated.PASSWORD_PEPPER ?? "",
      JWT_SECRETS: rotated.JWT_SECRETS ?? "",
      // Nothing listens here: a request that gets as far as the database answers 503.
      DATABASE_URL: "postgres://cloud-notes@127.0.0.1:9/none",
      DATABASE_TIMEOUT_MS: "1000",
    },
  });
}, 60_000);

afterAll(() => worker?.stop());

describe("npm run secrets:generate", () => {
  it("prints PASSWORD_PEPPER and one JWT signing key, as dotenv lines", () => {
    expect(generated).toEqual({
      PASSWORD_PEPPER: expect.stringMatching(/^[\w-]{43}$/),
      // The key id says when the key was made.
      JWT_SECRETS: expect.stringMatching(/^\d{8}-[0-9a-f]{6}:[\w-]{43}$/),
    });
  });

  it("rotates by putting a new signing key before the current one, and retires all but the first", () => {
    const [newKey, ...rest] = (rotated.JWT_SECRETS ?? "").split(",");
    expect(rest).toEqual([generated.JWT_SECRETS]);
    expect(newKey?.split(":")[0]).not.toBe(generated.JWT_SECRETS?.split(":")[0]);
    expect(retired).toEqual({ JWT_SECRETS: newKey });
  });

  it("gives values the worker accepts: it gets past its settings to the database", async () => {
    // A setting the worker refuses answers 500 naming it; these reach the (absent) database instead.
    const response = await fetch(`${worker.url}/health`);
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({
      type: "urn:cloud-notes:problem:dependency-unavailable",
      database: "unreachable",
    });
  });

  it("refuses to rotate without the current keys", () => {
    expect(() => releaseSecrets(["--rotate"], { JWT_SECRETS: "" })).toThrow();
  });
});
