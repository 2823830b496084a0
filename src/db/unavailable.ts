import { LoggableError } from "../lib/loggable-error";

/** The database did not answer in time, could not be reached, or refused for want of capacity. */
export class DatabaseUnavailable extends LoggableError {
  override name = "DatabaseUnavailable";

  constructor(reason: "timeout" | "unreachable" | "server error", options?: { cause?: unknown }) {
    super(`database ${reason}`, options);
  }
}

// SQLSTATEs that say "not now" rather than "your statement is wrong": connection exceptions (class 08),
// the server shutting down or starting (57P01-57P03), too many connections (53300), and a statement
// cancelled by statement_timeout (57014).
const UNAVAILABLE_CODES = /^(08...|57P0[1-3]|53300|57014)$/;
// What pg says when the socket under a WebSocket session dies; fixed texts, no user data.
const CONNECTION_LOST = /^Connection terminated( unexpectedly)?$/;

/**
 * Whether an error means the database is unreachable or too slow, as opposed to a bug. Drivers wrap:
 * drizzle puts the driver's error in `cause`, the Neon HTTP driver a failed fetch in `sourceError`.
 */
export function isDatabaseUnavailable(error: unknown, depth = 0): boolean {
  if (!(error instanceof Error) || depth > 4) return false;
  if (error instanceof DatabaseUnavailable) return true;
  const fields = error as Error & { code?: unknown; sourceError?: unknown };
  if (typeof fields.code === "string" && UNAVAILABLE_CODES.test(fields.code)) return true;
  if (CONNECTION_LOST.test(error.message)) return true;
  return isDatabaseUnavailable(error.cause, depth + 1) || isDatabaseUnavailable(fields.sourceError, depth + 1);
}

// Two transactions that each waited for the other (40P01, deadlock_detected), or a serializable
// transaction refused (40001): PostgreSQL rolled one back whole, and the same request retried succeeds.
const CONFLICT_CODES = /^(40P01|40001)$/;

/** The SQLSTATE of a database error, wherever the drivers wrapped it (`cause`, `sourceError`). */
export function sqlState(error: unknown, depth = 0): string | undefined {
  if (!(error instanceof Error) || depth > 4) return undefined;
  const fields = error as Error & { code?: unknown; sourceError?: unknown };
  if (typeof fields.code === "string" && /^[0-9A-Z]{5}$/.test(fields.code)) return fields.code;
  return sqlState(error.cause, depth + 1) ?? sqlState(fields.sourceError, depth + 1);
}

/** Whether the database rolled the request's work back because a concurrent one got in its way. */
export const isTransactionConflict = (error: unknown) => CONFLICT_CODES.test(sqlState(error) ?? "");

/** Settles with `work`, or rejects with DatabaseUnavailable after `ms`, calling `onTimeout` once. */
export function withDeadline<T>(work: Promise<T>, ms: number, onTimeout: () => void = () => {}): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | null = null;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      onTimeout();
      reject(new DatabaseUnavailable("timeout"));
    }, ms);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}
