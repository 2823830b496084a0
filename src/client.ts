// Hono's typed client for this API: `createClient("https://notes.example.com")` knows every route,
// its parameters, bodies and answers, straight from the route contracts (no generation step).
import { type ClientRequestOptions, hc } from "hono/client";
import type { AppType } from "./app";

export type { AppType };

export function createClient(baseUrl: string, options?: ClientRequestOptions) {
  return hc<AppType>(baseUrl, options);
}
