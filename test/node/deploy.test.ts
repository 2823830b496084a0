import { describe, expect, it } from "vitest";
import { DeployRefused, planDeploy } from "../../scripts/deploy.ts";

const direct = "postgres://owner:secret@ep-quiet-lake-a1b2c3d4.eu-central-1.aws.neon.tech/notes?sslmode=require";
const pooled = direct.replace("a1b2c3d4.", "a1b2c3d4-pooler.");

describe("npm run deploy", () => {
  it("migrates the direct database, then deploys the named environment tagged with the commit", () => {
    expect(planDeploy(["--env", "staging"], { DATABASE_URL_STAGING: direct }, "0123456789ab")).toEqual({
      migrate: direct,
      wranglerArgs: ["deploy", "--env", "staging", "--tag", "0123456789ab"],
    });
  });

  it("refuses without an environment, which would deploy the top level by accident", () => {
    expect(() => planDeploy([], { DATABASE_URL: direct }, null)).toThrow(DeployRefused);
    expect(() => planDeploy(["--message", "production"], { DATABASE_URL: direct }, null)).toThrow(/--env/);
  });

  it('takes the environment from -e, --env=, CLOUDFLARE_ENV, and the top level only from --env=""', () => {
    expect(planDeploy(["-e", "production"], { DATABASE_URL_PRODUCTION: direct }, null).wranglerArgs).toEqual([
      "deploy",
      "-e",
      "production",
    ]);
    expect(planDeploy([], { DATABASE_URL_STAGING: direct, CLOUDFLARE_ENV: "staging" }, null).migrate).toBe(direct);
    expect(planDeploy(["--env="], { DATABASE_URL: direct }, null).wranglerArgs).toEqual(["deploy", "--env="]);
  });

  it("refuses without the environment's own DATABASE_URL_<ENV>, and with Neon's pooled one", () => {
    expect(() => planDeploy(["--env", "staging"], {}, null)).toThrow(/DATABASE_URL_STAGING/);
    // A URL exported for one environment never migrates another's database.
    expect(() => planDeploy(["--env", "staging"], { DATABASE_URL: direct }, null)).toThrow(/DATABASE_URL_STAGING/);
    expect(() => planDeploy(["--env", "staging"], { DATABASE_URL_PRODUCTION: direct }, null)).toThrow(
      /DATABASE_URL_STAGING/,
    );
    expect(() => planDeploy(["--env", "staging"], { DATABASE_URL_STAGING: pooled }, null)).toThrow(/-pooler/);
  });

  it("never echoes a malformed connection string, which may hold a password", () => {
    const malformed = "postgres://owner:hunter2@[broken";
    expect(() => planDeploy(["--env", "staging"], { DATABASE_URL_STAGING: malformed }, null)).toThrow(
      /^DATABASE_URL_STAGING is not a connection string URL\.$/,
    );
  });

  it("refuses every spelling of a dry run but the bare flag, which wrangler would read otherwise", () => {
    for (const spelling of ["--dry-run=false", "--dry-run=true", "--dryRun", "--no-dry-run", "--dryrun"]) {
      expect(
        () => planDeploy(["--env", "staging", spelling], { DATABASE_URL_STAGING: direct }, null),
        spelling,
      ).toThrow(/--dry-run alone/);
    }
  });

  it("migrates nothing on a dry run, and keeps a tag given by hand", () => {
    expect(planDeploy(["--env", "production", "--dry-run", "--tag", "v1.2.0"], {}, "0123456789ab")).toEqual({
      migrate: null,
      wranglerArgs: ["deploy", "--env", "production", "--dry-run", "--tag", "v1.2.0"],
    });
  });
});
