import { runningVersion, type VersionBinding } from "./deployed-version";
import { LoggableError } from "./loggable-error";

// One object per line: Workers Logs indexes its fields (filter on `status`, `requestId`...) and
// `wrangler tail --format json` shows it as JSON, not as a string to parse again. Never pass request
// bodies, query strings or credentials here; errors go through describeError.

type Fields = Record<string, unknown>;
export type Level = "info" | "warn" | "error";

/** What every line carries: which release and Worker version wrote it and, in a request, which request. */
interface Origin {
  requestId?: string;
  /** Cloudflare's Ray ID (the `cf-ray` request header): absent locally. */
  rayId?: string;
  version: string;
  /** The deployed Worker version's id (deployed-version.ts); absent without the binding. */
  versionId?: string;
}

export interface Logger {
  line(level: Level, message: string, fields?: Fields): void;
  info(message: string, fields?: Fields): void;
  /** Something failed: the line describes the error (describeError), never quotes its message. */
  error(message: string, error: unknown, fields?: Fields): void;
}

// Cloudflare's edge sets cf-ray ("8f1e2d3c4b5a6978-LHR"); locally a client could send anything.
const RAY_ID = /^[\w-]{1,64}$/;

/**
 * What requestLogger reads of a request's Hono context: any router's `c` has it. Named here rather than
 * taken from router.ts's AppEnv, which would make the logger import the database client and, through
 * it, env.ts.
 */
export interface RequestScope {
  var: { requestId: string };
  req: { header(name: string): string | undefined };
  env: VersionBinding | undefined;
}

/** The logger of one request: its id and Ray ID on every line, besides the version. */
export function requestLogger(c: RequestScope): Logger {
  const rayId = c.req.header("cf-ray");
  return loggerFrom({
    requestId: c.var.requestId,
    rayId: rayId && RAY_ID.test(rayId) ? rayId : undefined,
    ...versionOf(c.env),
  });
}

/** The logger of work outside a request (the cron sweep). */
export function workerLogger(env: VersionBinding): Logger {
  return loggerFrom(versionOf(env));
}

function versionOf(env: VersionBinding | undefined): Origin {
  const { version, deployment } = runningVersion(env);
  return { version, versionId: deployment?.id };
}

function loggerFrom(origin: Origin): Logger {
  // Read in this order: the line's own facts, where it came from, then the error (the longest part).
  // A caller's field named like one of ours (level, message, the origin's) cannot replace it.
  const line = (level: Level, message: string, fields: Fields = {}, error?: ErrorSummary) =>
    write(level, withoutUndefined(Object.assign({ level, message }, fields, origin, { error, level, message })));
  return {
    line,
    info: (message, fields) => line("info", message, fields),
    error: (message, error, fields) => line("error", message, fields, describeError(error)),
  };
}

// How a line prints in a terminal (wrangler dev, vitest): one line of JSON, instead of util.inspect's
// layout over many lines. Workers Logs and `wrangler tail` serialise the object itself and never see this.
const printed = Symbol.for("nodejs.util.inspect.custom");

/** The console method matches the level, so Workers Logs' own level (and wrangler dev's colours) agree. */
function write(level: Level, entry: Fields): void {
  Object.defineProperty(entry, printed, { value: () => JSON.stringify(entry) });
  if (level === "error") console.error(entry);
  else if (level === "warn") console.warn(entry);
  else console.log(entry);
}

function withoutUndefined(entry: Fields): Fields {
  return Object.fromEntries(Object.entries(entry).filter(([, value]) => value !== undefined));
}

/**
 * The error's class, by the `name` it gives itself when it is not plain "Error". The deployed bundle is
 * minified without keep_names (wrangler.toml), so constructor names are mangled there: our own error
 * classes set `name`, as built-in and library errors (TypeError, NeonDbError, ZodError) do.
 */
function classOf(error: Error): string {
  return error.name && error.name !== "Error" ? error.name : error.constructor?.name || "Error";
}

interface ErrorSummary {
  class: string;
  message?: string;
  /** Postgres' SQLSTATE and where it struck: schema names, never values. */
  code?: string;
  constraint?: string;
  table?: string;
  column?: string;
  frames?: string[];
  cause?: ErrorSummary;
}

const MAX_FRAMES = 12;
const MAX_CAUSES = 3;

/**
 * What an error may tell a log: its class, the database's code and constraint, and where it was thrown.
 * Never its message or detail: the database driver puts the query's parameters there (emails, password
 * hashes, search text) and parsers quote their input. Only our own LoggableError keeps its message.
 */
export function describeError(error: unknown, depth = 0): ErrorSummary {
  if (!(error instanceof Error)) return { class: typeof error };
  const fields = error as Error & Record<string, unknown>;
  const summary: ErrorSummary = { class: classOf(error) };
  if (error instanceof LoggableError) summary.message = error.message;
  for (const key of ["code", "constraint", "table", "column"] as const) {
    const value = fields[key];
    if (typeof value === "string" && /^[\w.-]{1,63}$/.test(value)) summary[key] = value;
  }
  const frames = framesOf(error);
  if (frames.length > 0) summary.frames = frames;
  if (error.cause !== undefined && depth < MAX_CAUSES) summary.cause = describeError(error.cause, depth + 1);
  return summary;
}

/** The stack's frames, read after the message so that no line of the message can pass for one. */
function framesOf(error: Error): string[] {
  const stack = error.stack ?? "";
  const messageEnd = error.message ? stack.lastIndexOf(error.message) : -1;
  const afterMessage = messageEnd >= 0 ? stack.slice(messageEnd + error.message.length) : stack;
  return afterMessage
    .split("\n")
    .filter((line) => /^\s+at \S.*:\d+:\d+\)?$/.test(line))
    .slice(0, MAX_FRAMES)
    .map((line) => line.trim());
}
