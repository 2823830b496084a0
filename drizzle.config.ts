import { defineConfig } from "drizzle-kit";

// `npm run db:generate` writes SQL for schema changes into migrations/; it needs no database.
export default defineConfig({
  dialect: "postgresql",
  schema: "./src/db/schema.ts",
  out: "./migrations",
  strict: true,
  verbose: true,
});
