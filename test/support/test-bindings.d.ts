// Bindings that only the test configuration (test/vitest.config.ts) provides.
declare namespace Cloudflare {
  interface Env {
    LOCAL_NEON_ENDPOINT: string;
    TEST_ADMIN_DATABASE_URL: string;
    TEST_TEMPLATE_DATABASE: string;
    TEST_FAULT_PROXY_PORT: string;
    TEST_FAULT_PROXY_CONTROL: string;
    TEST_WEBHOOK_RECEIVER: string;
  }
}
