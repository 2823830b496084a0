import { expect } from "vitest";
import { API_SCOPE_NAMES, type ApiScope } from "../../src/db/schema";
import { type Account, json, PASSWORD, type Requester } from "./accounts";
import { api } from "./api";

const DAY_MS = 24 * 60 * 60 * 1000;

export interface IssuedToken {
  id: string;
  token: string;
  scopes: ApiScope[];
}

/** A personal API token of `account`'s, made through the API with a password sign-in. */
export async function issueToken(
  account: Account,
  options: { scopes?: readonly ApiScope[]; notebookId?: string; name?: string } = {},
): Promise<IssuedToken> {
  const response = await account.request(
    "/v1/tokens",
    json({
      name: options.name ?? "A script",
      scopes: options.scopes ?? API_SCOPE_NAMES,
      expiresAt: new Date(Date.now() + 30 * DAY_MS).toISOString(),
      password: PASSWORD,
      ...(options.notebookId ? { notebookId: options.notebookId } : {}),
    }),
  );
  expect(response.status, await response.clone().text()).toBe(201);
  return response.json<IssuedToken>();
}

/** Requests sent with an API token as the bearer credential. */
export const withToken =
  (token: string): Requester =>
  (path, init = {}) => {
    const headers = new Headers(init.headers);
    headers.set("Authorization", `Bearer ${token}`);
    return api(path, { ...init, headers });
  };
