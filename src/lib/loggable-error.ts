/**
 * An error of ours whose message names no user data, so a log may carry it (describeError in log.ts).
 * A file of its own, with no imports, so that env.ts and the db layer can throw it without reaching
 * the logger and what the logger reads.
 */
export class LoggableError extends Error {
  override name = "LoggableError";
}
