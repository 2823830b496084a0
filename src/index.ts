import { createApp } from "./app";
import type { Bindings } from "./env";
import { runScheduled } from "./scheduled";
import { consumeWebhookQueue } from "./webhooks/deliver";

const app = createApp();

export default {
  fetch: app.fetch,
  async scheduled(controller, env, ctx) {
    ctx.waitUntil(runScheduled(controller.cron, env));
  },
  async queue(batch, env) {
    await consumeWebhookQueue(batch, env);
  },
} satisfies ExportedHandler<Bindings>;
