import { fileURLToPath } from "node:url";
import { drizzle } from "drizzle-orm/node-postgres";
import { migrate } from "drizzle-orm/node-postgres/migrator";
import pg from "pg";

export const MIGRATIONS_FOLDER = fileURLToPath(new URL("../migrations", import.meta.url));

/** Applies every committed migration in migrations/ that the database has not seen yet. */
export async function migrateDatabase(databaseUrl: string): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await migrate(drizzle({ client }), { migrationsFolder: MIGRATIONS_FOLDER });
  } finally {
    await client.end();
  }
}

// `npm run db:migrate`: production and any database named by DATABASE_URL.
if (import.meta.main) {
  const url = process.env.DATABASE_URL;
  if (!url) {
    console.error(
      "Set DATABASE_URL to the database to migrate (for Neon: the direct, unpooled connection string).\n" +
        "The local database needs no step: `npm run dev` and `npm test` migrate it themselves.",
    );
    process.exit(1);
  }
  await migrateDatabase(url);
  console.log(`Migrated ${new URL(url).host}${new URL(url).pathname}.`);
}
