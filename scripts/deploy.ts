// `npm run deploy -- --env staging|production [wrangler deploy options]`: applies the migrations the
// environment's database has not seen, then deploys the worker. Migrations go first because the code
// already running must keep working on the new schema for as long as the upload takes (and after a
// rollback), which is what expand/contract migrations promise; docs/DEPLOY.md explains how to write them.
import { execFileSync } from "node:child_process";
import { parseArgs } from "node:util";
import { migrateDatabase } from "./migrate.ts";
import { spawnWrangler } from "./wrangler.ts";

export interface DeployPlan {
  /** The database to migrate first (direct connection string), or null for a dry run. */
  migrate: string | null;
  wranglerArgs: string[];
}

export class DeployRefused extends Error {}

/** What `npm run deploy` would do with these arguments and this environment, or why it refuses. */
export function planDeploy(args: string[], env: NodeJS.ProcessEnv, commit: string | null): DeployPlan {
  const { values } = parseArgs({
    args,
    options: { env: { type: "string", short: "e" }, "dry-run": { type: "boolean" }, tag: { type: "string" } },
    strict: false,
    allowPositionals: true,
  });
  // wrangler reads CLOUDFLARE_ENV as well; without either it deploys the top level, our local configuration.
  if (typeof values.env !== "string" && !env.CLOUDFLARE_ENV) {
    throw new DeployRefused(
      "Name the environment: npm run deploy -- --env staging (or --env production).\n" +
        'Deploying the top level of wrangler.toml (local development\'s settings) takes --env="", on purpose.',
    );
  }
  // wrangler also reads --dry-run=false, --dryRun, --no-dry-run: spelled so, a deploy could skip the
  // migrations, or migrate and then not deploy. Only the bare flag means a dry run here.
  const dryRunSpelling = args.find((arg) => /^--(no-)?dry-?run(=|$)|^--dryRun/i.test(arg) && arg !== "--dry-run");
  if (dryRunSpelling) throw new DeployRefused(`Write a dry run as --dry-run alone, not ${dryRunSpelling}.`);
  const tag = values.tag === undefined && commit ? ["--tag", commit] : [];
  const wranglerArgs = ["deploy", ...args, ...tag];
  if (values["dry-run"]) return { migrate: null, wranglerArgs };

  // The variable names the environment, so a URL exported for one can never migrate another's database.
  const name = migrationUrlVariable(typeof values.env === "string" ? values.env : (env.CLOUDFLARE_ENV ?? ""));
  const url = env[name];
  if (!url) {
    throw new DeployRefused(
      `Set ${name} to the environment's direct (unpooled) Neon connection string: the migrations run first.`,
    );
  }
  let host: string;
  try {
    host = new URL(url).hostname;
  } catch {
    throw new DeployRefused(`${name} is not a connection string URL.`); // never echo it: it holds the password
  }
  // Neon's pooler is PgBouncer in transaction mode: fine for the worker, not for a migration run, whose
  // session outlives one transaction (the migrator's own bookkeeping, long DDL). Neon says: direct for migrations.
  if (host.includes("-pooler")) {
    throw new DeployRefused(
      `${name} names Neon's pooler (-pooler in the host). Migrations need the direct connection string:\n` +
        "the same host without -pooler. The pooled one is the worker's secret (wrangler secret put DATABASE_URL).",
    );
  }
  return { migrate: url, wranglerArgs };
}

/** Where the migrations' connection string is read for an environment: DATABASE_URL_STAGING, say. */
export function migrationUrlVariable(environment: string): string {
  const suffix = environment.toUpperCase().replace(/[^A-Z0-9]+/g, "_");
  return suffix ? `DATABASE_URL_${suffix}` : "DATABASE_URL";
}

/** The commit being deployed, as the version's tag (`wrangler versions list`, `/health`), if git knows it. */
function currentCommit(): string | null {
  try {
    const git = (...args: string[]) => execFileSync("git", args, { encoding: "utf8", stdio: "pipe" }).trim();
    const commit = git("rev-parse", "--short=12", "HEAD");
    return git("status", "--porcelain", "--untracked-files=no") ? `${commit}-dirty` : commit;
  } catch {
    return null;
  }
}

async function main(): Promise<number> {
  const plan = planDeploy(process.argv.slice(2), process.env, currentCommit());
  if (plan.migrate) {
    const target = new URL(plan.migrate);
    console.log(`Migrating ${target.host}${target.pathname} …`);
    await migrateDatabase(plan.migrate);
    console.log("Migrated. Deploying …");
  }
  // wrangler lets the process environment override a --secrets-file's dotenv values: the direct URL
  // would replace the pooled one the worker is meant to get.
  for (const name of Object.keys(process.env)) if (name.startsWith("DATABASE_URL")) delete process.env[name];
  const wrangler = spawnWrangler(plan.wranglerArgs);
  const code = await new Promise<number>((resolve) => wrangler.on("exit", (exitCode) => resolve(exitCode ?? 1)));
  if (code !== 0 && plan.migrate) {
    console.error(
      "The deploy failed after the migrations were applied. The running version keeps serving on the new schema\n" +
        "(expand/contract: docs/DEPLOY.md); fix and deploy again.",
    );
  }
  return code;
}

if (import.meta.main) {
  try {
    process.exitCode = await main();
  } catch (error) {
    // A message only: some errors carry their input (a URL's, with its password) among their fields.
    console.error(error instanceof Error ? error.message : "deploy failed");
    process.exitCode = 1;
  }
}
