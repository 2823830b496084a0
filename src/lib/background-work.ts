/** What a request can hand work to after its response has gone: Hono's and the runtime's contexts alike. */
export interface BackgroundWork {
  waitUntil(promise: Promise<unknown>): void;
}
