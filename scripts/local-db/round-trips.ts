// Counts what reaches the local Neon endpoint, per database, so tests and benchmarks can show how many
// database round trips a request costs. GET /stats?database=<name> on the endpoint reports them.

interface Counts {
  httpRequests: number;
  webSocketSessions: number;
}

const counts = new Map<string, Counts>();

function countsFor(database: string): Counts {
  let entry = counts.get(database);
  if (!entry) {
    entry = { httpRequests: 0, webSocketSessions: 0 };
    counts.set(database, entry);
  }
  return entry;
}

export function countHttpRequest(database: string): void {
  countsFor(database).httpRequests += 1;
}

export function countWebSocketSession(database: string): void {
  countsFor(database).webSocketSessions += 1;
}

export function statsFor(database: string): Counts {
  return { ...countsFor(database) };
}
