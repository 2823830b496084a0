// Runs in Node before any test: a throwaway embedded PostgreSQL and the Neon-compatible endpoint on free
// ports, with a migrated template database that each test file clones into a database of its own.
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { freePort } from "../../scripts/local-db/free-port.ts";
import { startLocalStack } from "../../scripts/local-db/index.ts";
import { migrateDatabase } from "../../scripts/migrate.ts";
import { startFaultProxy } from "./fault-proxy.ts";
import { startWebhookReceiver } from "./webhook-receiver.ts";

export const TEMPLATE_DATABASE = "cloud_notes_template";

declare module "vitest" {
  export interface ProvidedContext {
    adminDatabaseUrl: string;
    templateDatabase: string;
    neonEndpoint: string;
    faultProxyPort: number;
    faultProxyControl: string;
    webhookReceiver: string;
  }
}

export default async function setup(project: TestProject) {
  const workDir = mkdtempSync(join(tmpdir(), "cloud-notes-test-"));
  // PostgreSQL runs as an unprivileged user when we are root; it must be able to reach its data directory.
  chmodSync(workDir, 0o755);
  const stack = await startLocalStack({
    dataDir: join(workDir, "postgres"),
    postgresPort: await freePort(),
    endpointPort: await freePort(),
    persistent: false,
    database: TEMPLATE_DATABASE,
  });
  try {
    await migrateDatabase(stack.databaseUrl);
  } catch (error) {
    await stack.stop();
    throw error;
  }

  const postgres = new URL(stack.adminUrl);
  const faultProxy = await startFaultProxy({ host: postgres.hostname, port: Number(postgres.port) });
  const receiver = await startWebhookReceiver();

  project.provide("adminDatabaseUrl", stack.adminUrl);
  project.provide("faultProxyPort", faultProxy.port);
  project.provide("faultProxyControl", faultProxy.control);
  project.provide("templateDatabase", TEMPLATE_DATABASE);
  project.provide("neonEndpoint", stack.neonEndpoint);
  project.provide("webhookReceiver", receiver.origin);

  return async () => {
    await receiver.stop();
    await faultProxy.stop();
    await stack.stop();
    rmSync(workDir, { recursive: true, force: true });
  };
}
