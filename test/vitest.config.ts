import { fileURLToPath } from "node:url";
import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
import { generatedSecrets } from "../scripts/dev-secrets.ts";

const root = fileURLToPath(new URL("..", import.meta.url));

export default defineConfig({
  root,
  plugins: [
    cloudflareTest(({ inject }) => ({
      wrangler: { configPath: `${root}wrangler.toml` },
      miniflare: {
        bindings: {
          ...generatedSecrets(),
          LOCAL_NEON_ENDPOINT: inject("neonEndpoint"),
          // Each test file clones the template into its own database and points DATABASE_URL there.
          TEST_ADMIN_DATABASE_URL: inject("adminDatabaseUrl"),
          TEST_TEMPLATE_DATABASE: inject("templateDatabase"),
          // test/node/fault-proxy.ts: PostgreSQL behind a switch, for the database-fault tests.
          TEST_FAULT_PROXY_PORT: String(inject("faultProxyPort")),
          TEST_FAULT_PROXY_CONTROL: inject("faultProxyControl"),
        },
      },
    })),
  ],
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/node/global-setup.ts"],
    setupFiles: ["test/support/file-database.ts"],
    // Access-log lines drown the report; error lines stay visible.
    onConsoleLog: (log) => !log.startsWith('{"level":"info"'),
  },
});
