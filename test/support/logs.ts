import { afterEach, beforeEach, vi } from "vitest";

export interface LogLine {
  level?: string;
  message?: string;
  [field: string]: unknown;
}

export interface CapturedLogs {
  /** Everything written to the console, as text, in order. */
  readonly text: string[];
  /** The lines that were our JSON log objects, parsed. */
  readonly lines: LogLine[];
  /** The error-level lines with this message. */
  errors(message: string): LogLine[];
}

const METHODS = ["log", "info", "warn", "error", "debug"] as const;

/**
 * Captures the console for each test of the calling file instead of printing it, so tests that expect
 * error logs assert them (and a passing run stays quiet). Call at the top of a describe block or file.
 */
export function captureLogs(): CapturedLogs {
  const text: string[] = [];
  const lines: LogLine[] = [];
  const spies: { mockRestore(): void }[] = [];
  beforeEach(() => {
    text.length = 0;
    lines.length = 0;
    for (const method of METHODS) {
      spies.push(
        vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
          const line = args.map(String).join(" ");
          text.push(line);
          const parsed = parseLogLine(line);
          if (parsed) lines.push(parsed);
        }),
      );
    }
  });
  afterEach(() => {
    for (const spy of spies.splice(0)) spy.mockRestore();
  });
  return {
    text,
    lines,
    errors: (message) => lines.filter((line) => line.level === "error" && line.message === message),
  };
}

function parseLogLine(line: string): LogLine | undefined {
  if (!line.startsWith("{")) return undefined;
  try {
    return JSON.parse(line) as LogLine;
  } catch {
    return undefined;
  }
}
