import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { stripVTControlCharacters } from "node:util";
import { describe, expect, it } from "vitest";

// A passing run prints vitest's report and little else: no warnings about secrets the tests provide,
// no uncaught errors, and the error logs that tests provoke on purpose are captured and asserted by
// those tests, not printed. Runs such files the way `npm test` does, against this checkout's own
// .dev.vars if it has one (wrangler reads it), as a developer's `npm test` would.
const root = fileURLToPath(new URL("../..", import.meta.url));
const vitestBin = join(dirname(createRequire(import.meta.url).resolve("vitest/package.json")), "vitest.mjs");

function runVitest(files: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const env: NodeJS.ProcessEnv = { ...process.env, CI: "true", FORCE_COLOR: "0" };
    // As from a shell: nothing the outer run's config put into this process's environment.
    for (const name of ["WRANGLER_LOG", "DATABASE_URL", "PASSWORD_PEPPER", "JWT_SECRETS"]) delete env[name];
    const child = spawn(
      process.execPath,
      [vitestBin, "run", "--config", "test/vitest.config.ts", "--project", "workers", ...files],
      { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] },
    );
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    // Colours or not, read the text.
    child.on("close", (code) => resolve({ code, output: stripVTControlCharacters(output) }));
  });
}

describe("npm test's output", () => {
  it("is the report alone for files that provoke and check error logs", { timeout: 120_000 }, async () => {
    // Between them: every error log the worker writes on purpose, and the sweep's.
    const { code, output } = await runVitest([
      "test/health.test.ts",
      "test/logs.test.ts",
      "test/password.test.ts",
      "test/problem-details.test.ts",
      "test/sweep.test.ts",
      "test/attachments-lifecycle.test.ts",
    ]);
    expect(code, output).toBe(0);
    expect(output).toMatch(/Tests\s+\d+ passed/);
    for (const noise of [
      "Missing required secrets",
      "[WARNING]",
      "Using secrets defined",
      "stderr |",
      "Uncaught",
      '"level":"error"',
    ]) {
      expect(output, `"${noise}" in:\n${output}`).not.toContain(noise);
    }
  });
});
