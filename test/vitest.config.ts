import { fileURLToPath } from "node:url";
import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
import { generatedSecrets } from "../scripts/dev-secrets.ts";
import { buildDocsAssets } from "../scripts/docs-assets.ts";

const root = fileURLToPath(new URL("..", import.meta.url));

// wrangler.toml's required secrets are checked when the test integration reads the config: against
// .dev.vars when there is one (`npm run dev` writes it, DATABASE_URL declared empty), else against
// this process's environment. The tests provide them as bindings (DATABASE_URL per test file, per
// request), so they are named here too. wrangler's notes on where it found them ("Using secrets
// defined in …", once per test file) stay out of the report; its warnings and errors do not.
const secrets = generatedSecrets();
Object.assign(process.env, secrets, { DATABASE_URL: "postgres://set-by-each-test-file@127.0.0.1:1/none" });
process.env.WRANGLER_LOG ??= "warn";
// wrangler.toml's [assets] directory must exist before the config is read (wrangler's [build] makes it
// for dev and deploy, but the test integration runs no build).
buildDocsAssets();

export default defineConfig({
  root,
  test: {
    // The worker's lines print as one line of JSON each (src/lib/log.ts). Info and warn lines stay out of
    // the report: every request writes one, and a 4xx (warn) is what most unhappy-path tests expect.
    // Error lines (a 5xx, a failure) stay visible unless the test that provokes them captures them.
    onConsoleLog: (log) => !/^\{"level":"(info|warn)"/.test(log),
    projects: [
      {
        // The API inside workerd, against a throwaway PostgreSQL and local R2.
        plugins: [
          cloudflareTest(({ inject }) => ({
            wrangler: { configPath: `${root}wrangler.toml` },
            miniflare: {
              bindings: {
                ...secrets,
                LOCAL_NEON_ENDPOINT: inject("neonEndpoint"),
                // Each test file clones the template into its own database and points DATABASE_URL there.
                TEST_ADMIN_DATABASE_URL: inject("adminDatabaseUrl"),
                TEST_TEMPLATE_DATABASE: inject("templateDatabase"),
                // test/node/fault-proxy.ts: PostgreSQL behind a switch, for the database-fault tests.
                TEST_FAULT_PROXY_PORT: String(inject("faultProxyPort")),
                TEST_FAULT_PROXY_CONTROL: inject("faultProxyControl"),
                // test/node/webhook-receiver.ts, and the setting that lets webhooks reach it on this machine.
                TEST_WEBHOOK_RECEIVER: inject("webhookReceiver"),
                WEBHOOK_LOCAL_RECEIVERS: "true",
              },
            },
          })),
        ],
        test: {
          name: "workers",
          root,
          include: ["test/**/*.test.ts"],
          // test/browser: `npm run test:browser`, in Node and chromium (its own config).
          exclude: ["test/node/**", "test/browser/**"],
          globalSetup: ["test/node/global-setup.ts"],
          setupFiles: ["test/support/file-database.ts"],
        },
      },
      {
        // The developer tooling itself, in Node: `npm run dev` and what `npm test` prints.
        test: { name: "node", root, include: ["test/node/**/*.test.ts"], environment: "node" },
      },
    ],
  },
});
