/** The DevTools protocol of the user worker in a workerd started with an inspector port (startBenchApp's). */
export async function connectInspector(port: number) {
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

/**
 * Samples the worker isolate's heap while `work` runs: the peak of V8's used heap and of ArrayBuffer
 * backing stores (bytes in flight), which is what a Worker's 128 MB limit is about, unlike workerd's RSS,
 * which also holds the local R2 simulator and garbage not yet collected.
 */
export async function peakHeapDuring<T>(
  inspector: Awaited<ReturnType<typeof connectInspector>>,
  work: () => Promise<T>,
): Promise<{ result: T; usedPeak: number; backingPeak: number }> {
  let usedPeak = 0;
  let backingPeak = 0;
  let running = true;
  const sampling = (async () => {
    while (running) {
      const usage = (await inspector.send("Runtime.getHeapUsage")) as { usedSize: number; backingStorageSize?: number };
      usedPeak = Math.max(usedPeak, usage.usedSize);
      backingPeak = Math.max(backingPeak, usage.backingStorageSize ?? 0);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  })();
  try {
    return { result: await work(), usedPeak, backingPeak };
  } finally {
    running = false;
    await sampling;
  }
}
