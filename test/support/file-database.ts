// Setup file: before each test file runs, give it a fresh database cloned from the migrated template,
// so files run in parallel and each starts from an empty, fully migrated schema.

import { env } from "cloudflare:workers";
import { neon } from "@neondatabase/serverless";
import { beforeAll } from "vitest";
import { useLocalNeonEndpoint } from "../../src/db/local-neon";

let databaseUrl: string | undefined;

export function fileDatabaseUrl(): string {
  if (!databaseUrl) throw new Error("the file's database is created in beforeAll; use it inside tests");
  return databaseUrl;
}

beforeAll(async () => {
  useLocalNeonEndpoint(env.LOCAL_NEON_ENDPOINT);
  const name = `test_${crypto.randomUUID().replaceAll("-", "")}`;
  const admin = neon(env.TEST_ADMIN_DATABASE_URL);
  await admin.query(`create database "${name}" template "${env.TEST_TEMPLATE_DATABASE}"`);
  const url = new URL(env.TEST_ADMIN_DATABASE_URL);
  url.pathname = `/${name}`;
  databaseUrl = url.toString();
});
