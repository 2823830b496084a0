import type { Bindings } from "../../src/env";
import { api } from "./api";

let ipCounter = 0;
/** A distinct client address per call, so the per-IP rate limit only bites in the tests about it. */
export function uniqueIp(): string {
  ipCounter += 1;
  return `198.18.${Math.floor(Math.random() * 200)}.${ipCounter % 250}`;
}

export function uniqueEmail(): string {
  return `user-${crypto.randomUUID()}@example.com`;
}

export const PASSWORD = "correct horse battery staple";

export function json(body: unknown, init: RequestInit & { method?: string } = {}): RequestInit {
  return {
    method: "POST",
    ...init,
    body: JSON.stringify(body),
    headers: { "Content-Type": "application/json", "CF-Connecting-IP": uniqueIp(), ...init.headers },
  };
}

export function form(fields: Record<string, string>, ip = uniqueIp()): RequestInit {
  return {
    method: "POST",
    body: new URLSearchParams(fields),
    headers: { "Content-Type": "application/x-www-form-urlencoded", "CF-Connecting-IP": ip },
  };
}

export interface TokenPair {
  access_token: string;
  refresh_token: string;
  token_type: string;
  expires_in: number;
}

export async function register(email = uniqueEmail(), password = PASSWORD, displayName?: string) {
  const response = await api("/v1/auth/register", json({ email, password, displayName }));
  if (response.status !== 201) throw new Error(`register: ${response.status} ${await response.text()}`);
  return { user: await response.json<{ id: string; email: string }>(), email, password };
}

export async function signIn(email: string, password = PASSWORD): Promise<TokenPair> {
  const response = await api("/v1/auth/token", form({ grant_type: "password", username: email, password }));
  if (response.status !== 200) throw new Error(`sign in: ${response.status} ${await response.text()}`);
  return response.json<TokenPair>();
}

export function refresh(refreshToken: string) {
  return api("/v1/auth/token", form({ grant_type: "refresh_token", refresh_token: refreshToken }));
}

/** Sends a request as the holder of `accessToken`, optionally with other worker settings. */
export function authed(accessToken: string, path: string, init: RequestInit = {}, overrides: Partial<Bindings> = {}) {
  const headers = new Headers(init.headers);
  headers.set("Authorization", `Bearer ${accessToken}`);
  return api(path, { ...init, headers }, overrides);
}

/** Sends a request to the worker as someone: a path below the API's origin, and what to send. */
export type Requester = (path: string, init?: RequestInit) => Promise<Response>;

/** A registered, signed-in user. */
export async function signUp(displayName?: string) {
  const account = await register(uniqueEmail(), PASSWORD, displayName);
  const tokens = await signIn(account.email);
  const request: Requester = (path, init) => authed(tokens.access_token, path, init);
  return { ...account, tokens, request };
}

/** What `signUp` answers: the user, their address and password, their tokens, and `request` as them. */
export type Account = Awaited<ReturnType<typeof signUp>>;
