// One JSON object per line, which Workers Logs indexes. Never pass request bodies or credentials here.

type Fields = Record<string, unknown>;

export function logInfo(message: string, fields: Fields = {}): void {
  console.log(JSON.stringify({ level: "info", message, ...fields }));
}

export function logError(message: string, error: unknown, fields: Fields = {}): void {
  const detail =
    error instanceof Error
      ? { error: error.name, reason: error.message, cause: causeOf(error), stack: error.stack }
      : { reason: String(error) };
  console.error(JSON.stringify({ level: "error", message, ...fields, ...detail }));
}

// Drivers wrap the useful message (drizzle's "Failed query" hides the Postgres error in `cause`).
function causeOf(error: Error): string | undefined {
  return error.cause instanceof Error ? error.cause.message : undefined;
}
