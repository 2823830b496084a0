import { createApp } from "./app";
import type { Bindings } from "./env";
import { sweep } from "./scheduled";

const app = createApp();

export default {
  fetch: app.fetch,
  async scheduled(_controller, env, ctx) {
    ctx.waitUntil(sweep(env));
  },
} satisfies ExportedHandler<Bindings>;
