// One JSON object per line, which Workers Logs indexes. Never pass request bodies or credentials here.

type Fields = Record<string, unknown>;

export function logInfo(message: string, fields: Fields = {}): void {
  console.log(JSON.stringify({ level: "info", message, ...fields }));
}

export function logError(message: string, error: unknown, fields: Fields = {}): void {
  console.error(JSON.stringify({ level: "error", message, ...fields, error: describeError(error) }));
}

/** An error of ours whose message names no user data, so a log may carry it. */
export class LoggableError extends Error {}

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
  const summary: ErrorSummary = { class: error.constructor?.name || error.name };
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
