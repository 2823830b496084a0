import type { Context, MiddlewareHandler } from "hono";
import { clientNetwork } from "../lib/client-ip";
import { tooManyRequests } from "../lib/problem";
import type { AppEnv } from "../lib/router";

export interface RateLimitOptions {
  /** Which Rate Limiting binding counts the requests. */
  limiter: (env: AppEnv["Bindings"]) => RateLimit;
  /** Separates the counters of endpoints that share a binding. */
  scope: string;
  /** The binding's period, which is also how long a client is told to wait. */
  periodSeconds: number;
}

/** Counts one request from the client's IP (IPv6 by /64) under `scope`: a 429 once over the binding's limit. */
export async function throttleClientIp(c: Context<AppEnv>, options: RateLimitOptions): Promise<void> {
  const key = `${options.scope}:${clientNetwork(c.req)}`;
  const { success } = await options.limiter(c.env).limit({ key });
  if (!success) throw tooManyRequests(options.periodSeconds);
}

/** Limits every request to a route per signed-in user (after requireUser) with a Rate Limiting binding. */
export function rateLimitByUser(options: RateLimitOptions): MiddlewareHandler<AppEnv> {
  return async function rateLimit(c, next) {
    const { success } = await options.limiter(c.env).limit({ key: `${options.scope}:${c.var.caller.userId}` });
    if (!success) throw tooManyRequests(options.periodSeconds);
    await next();
  };
}

/** Limits every request to a route per client IP with a Workers Rate Limiting binding. */
export function rateLimitByClientIp(options: RateLimitOptions): MiddlewareHandler<AppEnv> {
  return async function rateLimit(c, next) {
    await throttleClientIp(c, options);
    await next();
  };
}
