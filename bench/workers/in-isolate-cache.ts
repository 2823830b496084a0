// Bench-only worker: the API itself, with the Workers Cache API answered from a map in this isolate
// instead of Miniflare's cache simulator (which runs in the same workerd process, so its work counts as
// ours). bench/edge-cache.ts measures an edge-cache hit both ways: what is left here is our own code.
import worker from "../../src/index";

interface Stored {
  body: ArrayBuffer;
  status: number;
  headers: [string, string][];
}

const keyOf = (request: RequestInfo | URL) =>
  typeof request === "string" ? request : request instanceof URL ? request.href : request.url;

class IsolateCache {
  readonly #entries = new Map<string, Stored>();

  async match(request: RequestInfo | URL): Promise<Response | undefined> {
    const stored = this.#entries.get(keyOf(request));
    // A fresh Response each time, as the Cache API hands out (the body can be read once).
    return stored && new Response(stored.body.slice(0), { status: stored.status, headers: stored.headers });
  }

  async put(request: RequestInfo | URL, response: Response): Promise<void> {
    const body = await response.arrayBuffer();
    this.#entries.set(keyOf(request), { body, status: response.status, headers: [...response.headers] });
  }

  async delete(request: RequestInfo | URL): Promise<boolean> {
    return this.#entries.delete(keyOf(request));
  }
}

const isolateCache = new IsolateCache();
Object.defineProperty(globalThis, "caches", {
  value: { default: isolateCache, open: async () => isolateCache },
  configurable: true,
});

export default worker;
