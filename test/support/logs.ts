import { afterEach, beforeEach, vi } from "vitest";

export interface LogLine {
  level?: string;
  message?: string;
  [field: string]: unknown;
}

const METHODS = ["log", "info", "warn", "error", "debug"] as const;
type ConsoleMethod = (typeof METHODS)[number];

export interface CapturedLogs {
  /** Everything written to the console, as text (objects as JSON), in order. */
  readonly text: string[];
  /** Our log lines: the objects written to the console, as JSON carries them to Workers Logs. */
  readonly lines: LogLine[];
  /** Each of `lines` with the console method that wrote it. */
  readonly written: { method: ConsoleMethod; line: LogLine }[];
  /** The access log's lines, one per request. */
  requests(): LogLine[];
  /** The error-level lines with this message. */
  errors(message: string): LogLine[];
}

/**
 * Captures the console for each test of the calling file instead of printing it, so tests that expect
 * error logs assert them (and a passing run stays quiet). Call at the top of a describe block or file.
 * A line written as a string (JSON.stringify'd, say) is text only: Workers Logs could not index it.
 */
export function captureLogs(): CapturedLogs {
  const text: string[] = [];
  const written: { method: ConsoleMethod; line: LogLine }[] = [];
  const spies: { mockRestore(): void }[] = [];
  beforeEach(() => {
    text.length = 0;
    written.length = 0;
    for (const method of METHODS) {
      spies.push(
        vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
          text.push(args.map((arg) => (typeof arg === "object" ? JSON.stringify(arg) : String(arg))).join(" "));
          const [first] = args;
          if (args.length === 1 && typeof first === "object" && first !== null) {
            written.push({ method, line: JSON.parse(JSON.stringify(first)) as LogLine });
          }
        }),
      );
    }
  });
  afterEach(() => {
    for (const spy of spies.splice(0)) spy.mockRestore();
  });
  return {
    text,
    written,
    get lines() {
      return written.map(({ line }) => line);
    },
    requests: () => written.map(({ line }) => line).filter((line) => line.message === "request"),
    errors: (message) =>
      written.map(({ line }) => line).filter((line) => line.level === "error" && line.message === message),
  };
}
