// Bench-only worker: one `select 1` per request, made at each layer of the stack the API uses, so
// bench/database-call.ts can split a database call's CPU cost between workerd's own fetch, the Neon
// driver, and drizzle (the same createDatabase() handle the API uses). `/drizzle-wait` is the same call
// answered 5 ms later (`pg_sleep`): the same work, only a longer wait, which must not cost more CPU.
import { neon } from "@neondatabase/serverless";
import { sql } from "drizzle-orm";
import { createDatabase } from "../../src/db/client";
import { useLocalNeonEndpoint } from "../../src/db/local-neon";
import { type Bindings, configFrom } from "../../src/env";

export default {
  async fetch(request: Request, env: Bindings): Promise<Response> {
    const config = configFrom(env);
    if (config.LOCAL_NEON_ENDPOINT) useLocalNeonEndpoint(config.LOCAL_NEON_ENDPOINT);
    const layer = new URL(request.url).pathname;
    if (layer === "/fetch") {
      // The Neon SQL-over-HTTP protocol by hand: what the driver sends, without the driver.
      const response = await fetch(`http://${config.LOCAL_NEON_ENDPOINT}/sql`, {
        method: "POST",
        headers: {
          "Neon-Connection-String": config.DATABASE_URL,
          "Neon-Raw-Text-Output": "true",
          "Neon-Array-Mode": "true",
        },
        body: JSON.stringify({ query: "select 1", params: [] }),
      });
      await response.json();
    } else if (layer === "/neon") {
      // With the API's fetchFunction (src/db/client.ts sets it for the driver on import).
      await neon(config.DATABASE_URL).query("select 1");
    } else if (layer === "/drizzle") {
      await createDatabase(config).execute(sql`select 1`);
    } else if (layer === "/drizzle-wait") {
      await createDatabase(config).execute(sql`select 1 from pg_sleep(0.005)`);
    }
    return new Response("ok");
  },
};
