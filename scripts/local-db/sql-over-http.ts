import type { IncomingMessage, ServerResponse } from "node:http";
import pg from "pg";
import { isLoopback } from "./loopback.ts";
import { countHttpRequest } from "./round-trips.ts";

// A stand-in for Neon's SQL-over-HTTP endpoint, so drizzle-orm/neon-http runs locally exactly as against Neon:
// one statement per query (extended protocol, like Neon), rows as text, a batch as one transaction.

interface QueryData {
  query: string;
  params?: unknown[];
}

const pools = new Map<string, pg.Pool>();
// Values go back as Postgres text; the driver parses them by type OID, as it does with Neon's answers.
const rawText = { getTypeParser: () => (value: string) => value };
const ERROR_FIELDS = [
  "severity",
  "code",
  "detail",
  "hint",
  "position",
  "internalPosition",
  "internalQuery",
  "where",
  "schema",
  "table",
  "column",
  "dataType",
  "constraint",
  "file",
  "line",
  "routine",
] as const;
const ISOLATION_LEVELS: Record<string, string> = {
  ReadUncommitted: "READ UNCOMMITTED",
  ReadCommitted: "READ COMMITTED",
  RepeatableRead: "REPEATABLE READ",
  Serializable: "SERIALIZABLE",
};

export async function handleSqlOverHttp(request: IncomingMessage, response: ServerResponse): Promise<void> {
  const connectionString = header(request, "neon-connection-string");
  if (!connectionString) return send(response, 400, { message: "missing Neon-Connection-String header" });
  const { hostname: host, pathname } = new URL(connectionString);
  countHttpRequest(decodeURIComponent(pathname.slice(1)));
  if (!isLoopback(host))
    return send(response, 400, { message: `the local endpoint only reaches loopback, not ${host}` });

  let body: { query?: string; params?: unknown[]; queries?: QueryData[] };
  try {
    body = JSON.parse(await readBody(request));
  } catch {
    return send(response, 400, { message: "request body is not valid JSON" });
  }

  const arrayMode = header(request, "neon-array-mode") === "true";
  let client: pg.PoolClient;
  try {
    client = await poolFor(connectionString).connect();
  } catch (error) {
    // Postgres refusing (bad password, no such database) is a 400 with its SQLSTATE, as from Neon;
    // no Postgres to talk to at all is the proxy's own failure, a 5xx.
    if (
      typeof (error as { code?: unknown }).code === "string" &&
      /^[0-9A-Z]{5}$/.test((error as { code: string }).code)
    ) {
      return sendError(response, error);
    }
    return send(response, 502, { message: "cannot reach the database" });
  }
  // A connection that breaks mid-query (a server stopped under it) fails that query, and is dropped
  // rather than pooled again; without a listener its 'error' event would take this whole process down.
  let broken = false;
  const markBroken = () => {
    broken = true;
  };
  client.on("error", markBroken);
  try {
    if (Array.isArray(body.queries)) {
      const results = await runBatch(client, body.queries, arrayMode, request);
      return send(response, 200, { results });
    }
    return send(response, 200, await runQuery(client, { query: body.query ?? "", params: body.params }, arrayMode));
  } catch (error) {
    return sendError(response, error);
  } finally {
    client.off("error", markBroken);
    client.release(broken);
  }
}

async function runBatch(client: pg.PoolClient, queries: QueryData[], arrayMode: boolean, request: IncomingMessage) {
  const isolation = ISOLATION_LEVELS[header(request, "neon-batch-isolation-level") ?? ""];
  const modes = [
    isolation ? `ISOLATION LEVEL ${isolation}` : "",
    header(request, "neon-batch-read-only") === "true" ? "READ ONLY" : "",
    header(request, "neon-batch-deferrable") === "true" ? "DEFERRABLE" : "",
  ].filter(Boolean);
  await client.query(`BEGIN ${modes.join(" ")}`);
  try {
    const results = [];
    for (const query of queries) results.push(await runQuery(client, query, arrayMode));
    await client.query("COMMIT");
    return results;
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  }
}

async function runQuery(client: pg.PoolClient, { query, params = [] }: QueryData, arrayMode: boolean) {
  const result = await client.query({
    text: query,
    values: params,
    rowMode: arrayMode ? "array" : undefined,
    types: rawText,
    queryMode: "extended",
  } as pg.QueryConfig);
  return {
    command: result.command,
    rowCount: result.rowCount,
    rows: result.rows,
    fields: result.fields,
    rowAsArray: arrayMode,
  };
}

function poolFor(connectionString: string): pg.Pool {
  let pool = pools.get(connectionString);
  if (!pool) {
    pool = new pg.Pool({ connectionString, max: 10, idleTimeoutMillis: 10_000 });
    pool.on("error", () => undefined); // an idle client's broken connection is dropped; the next query reconnects
    pools.set(connectionString, pool);
  }
  return pool;
}

export async function closeSqlPools(): Promise<void> {
  const all = [...pools.values()];
  pools.clear();
  await Promise.all(all.map((pool) => pool.end().catch(() => undefined)));
}

function sendError(response: ServerResponse, error: unknown): void {
  const source = error as Record<string, unknown>;
  const body: Record<string, unknown> = { message: error instanceof Error ? error.message : String(error) };
  for (const field of ERROR_FIELDS) if (source[field] !== undefined) body[field] = source[field];
  send(response, 400, body);
}

function send(response: ServerResponse, status: number, body: unknown): void {
  const json = JSON.stringify(body);
  response.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(json) });
  response.end(json);
}

function header(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}
