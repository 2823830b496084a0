// `npm run bench:profile [-- target]`: where a request's CPU goes inside workerd. Runs a bounded load on
// one endpoint (default: GET one note) against the production bundle while workerd's own sampling
// profiler records, then prints the functions with the most self time, grouped by package, and writes
// the whole profile (open it in Chrome DevTools' Performance panel) to $BENCH_PROFILE_OUT.
import { readFileSync, writeFileSync } from "node:fs";
import { freePort } from "../scripts/local-db/free-port.ts";
import { signedInUser, startBenchApp } from "./bench-app.ts";
import { runLoad } from "./load.ts";

const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 8);
const output = process.env.BENCH_PROFILE_OUT ?? "/tmp/cloud-notes.cpuprofile";
const target = process.argv[2] ?? "note";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const inspectorPort = await freePort();
// Unminified, so the profile names functions.
const app = await startBenchApp({ inspectorPort, minify: false });
try {
  const { call } = await signedInUser(app.url);
  const created = (await (await call("/v1/notes", { method: "POST", body: '{"title":"t","content":"c"}' })).json()) as {
    id: string;
  };
  await call(`/v1/notes/${created.id}`, { method: "PATCH", body: '{"visibility":"public"}' });
  for (let i = 0; i < 30; i++) await call("/v1/notes", { method: "POST", body: `{"title":"n${i}","content":"c"}` });
  const sends: Record<string, () => Promise<Response>> = {
    live: () => fetch(`${app.url}/health/live`),
    health: () => fetch(`${app.url}/health`),
    note: () => call(`/v1/notes/${created.id}`),
    // Anonymous, so from the edge cache after the first read (Miniflare's cache runs in another isolate).
    public: () => fetch(`${app.url}/v1/public/notes/${created.id}`),
    page: () => call("/v1/notes?limit=20"),
    post: () => call("/v1/notes", { method: "POST", body: '{"title":"p","content":"profiled"}' }),
  };
  const send = sends[target];
  if (!send) throw new Error(`unknown target ${target}; one of ${Object.keys(sends).join(", ")}`);
  await runLoad("warm-up", send, { concurrency, seconds: 2 });

  const inspector = await connectInspector(inspectorPort);
  await inspector.send("Profiler.enable");
  await inspector.send("Profiler.setSamplingInterval", { interval: 100 });
  await inspector.send("Profiler.start");
  const result = await runLoad(target, send, { concurrency, seconds });
  const { profile } = (await inspector.send("Profiler.stop")) as { profile: Profile };
  inspector.close();
  writeFileSync(output, JSON.stringify(profile));
  console.log(`${result.requests} requests (${result.failures} failed); profile in ${output}`);
  printTop(profile, result.requests, moduleOfLine(readFileSync(app.scriptPath, "utf8")));
} finally {
  await app.stop();
}

async function connectInspector(port: number) {
  const targets = (await (await fetch(`http://127.0.0.1:${port}/json`)).json()) as {
    id: string;
    webSocketDebuggerUrl?: string;
  }[];
  const user = targets.find((t) => t.id.startsWith("core:user:"));
  if (!user) throw new Error(`no user worker among inspector targets: ${targets.map((t) => t.id).join(", ")}`);
  const socket = new WebSocket(user.webSocketDebuggerUrl ?? `ws://127.0.0.1:${port}/${user.id}`);
  await new Promise((resolve, reject) => {
    socket.onopen = resolve;
    socket.onerror = reject;
  });
  let nextId = 1;
  const pending = new Map<number, (value: unknown) => void>();
  socket.onmessage = (event) => {
    const message = JSON.parse(String(event.data)) as { id?: number; result?: unknown };
    if (message.id) pending.get(message.id)?.(message.result);
  };
  return {
    send: (method: string, params: object = {}) =>
      new Promise<unknown>((resolve) => {
        const id = nextId++;
        pending.set(id, resolve);
        socket.send(JSON.stringify({ id, method, params }));
      }),
    close: () => socket.close(),
  };
}

/** Self time per function and per package (node_modules/<name>, or ours), in ms per request. */
function printTop(profile: Profile, requests: number, moduleAt: (line: number) => string) {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const self = new Map<number, number>();
  for (const [i, id] of profile.samples.entries()) self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  const perFunction = new Map<string, number>();
  const perPackage = new Map<string, number>();
  for (const [id, micros] of self) {
    const frame = byId.get(id)?.callFrame;
    if (!frame) continue;
    const name = `${frame.functionName || "(anonymous)"} ${frame.url.split("/").slice(-1)[0]}:${frame.lineNumber + 1}`;
    perFunction.set(name, (perFunction.get(name) ?? 0) + micros);
    const pkg = frame.url ? moduleAt(frame.lineNumber) : `(${frame.functionName || "native"})`;
    perPackage.set(pkg, (perPackage.get(pkg) ?? 0) + micros);
  }
  // What Workers bills is the isolate's CPU: its thread's samples except those where it waited (idle).
  const idle = [...self].reduce(
    (sum, [id, micros]) => sum + (byId.get(id)?.callFrame.functionName === "(idle)" ? micros : 0),
    0,
  );
  const busy = [...self.values()].reduce((sum, micros) => sum + micros, 0) - idle;
  console.log(`\nthe isolate's thread, busy (not idle): ${(busy / 1000 / requests).toFixed(3)} ms per request`);
  const show = (title: string, entries: Map<string, number>, count: number) => {
    console.log(`\n${title} (ms per request, of the worker's JS thread samples)`);
    for (const [name, micros] of [...entries].sort((a, b) => b[1] - a[1]).slice(0, count))
      console.log(`  ${(micros / 1000 / requests).toFixed(4).padStart(8)}  ${name}`);
  };
  show("by function, self time", perFunction, 40);
  show("by source", perPackage, 20);
}

/**
 * The bundle is one file, but esbuild heads each module's code with a comment naming its path, so a
 * line maps back to its package (node_modules/<name>) or to our own src/.
 */
function moduleOfLine(bundle: string): (line: number) => string {
  const owners: string[] = [];
  let current = "(bundle prelude)";
  for (const line of bundle.split("\n")) {
    const path = /^\/\/ (\S+\.[cm]?[jt]s)$/.exec(line)?.[1];
    if (path) current = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path)?.[1] ?? path.replace(/^.*?(src\/)/, "$1");
    owners.push(current);
  }
  return (line) => owners[line] ?? "(unknown)";
}
