import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const root = fileURLToPath(new URL("../..", import.meta.url));

// `npm run test:browser`: the docs pages in Debian's chromium against `npm run dev`, which the global setup
// starts and stops. Not part of `npm test`, whose machines may have no chromium.
export default defineConfig({
  root,
  test: {
    name: "browser",
    root,
    include: ["test/browser/**/*.test.ts"],
    environment: "node",
    globalSetup: ["test/browser/api-server.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
