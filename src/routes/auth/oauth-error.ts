import { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { statusTitle } from "../../lib/http-status";
import { problemType } from "../../lib/problem";
import { NO_STORE } from "../../sessions/token-response";

// No invalid_client: every client is public, so there is no client authentication to fail.
const OAUTH_ERROR_CODES = ["invalid_request", "invalid_grant", "unsupported_grant_type"] as const;
export type OAuthErrorCode = (typeof OAUTH_ERROR_CODES)[number];

export const OAuthErrorSchema = z
  .object({
    error: z.enum(OAUTH_ERROR_CODES),
    error_description: z.string(),
    type: z.enum(OAUTH_ERROR_CODES.map((code) => problemType(`oauth-${code}`))),
    title: z.string(),
    status: z.literal(400),
    detail: z.string(),
  })
  .openapi("OAuthError", {
    description: "RFC 6749 section 5.2 error, carrying the RFC 9457 members too for generic clients",
  });

/**
 * The token endpoint answers errors as RFC 6749 requires (JSON with `error`, which OAuth clients such as
 * Swagger UI read), and repeats them as problem-details members.
 */
export function oauthError(c: Context, error: OAuthErrorCode, description: string) {
  const status = 400 as const;
  const body = {
    error,
    error_description: description,
    type: problemType(`oauth-${error}`),
    title: statusTitle(status),
    status,
    detail: description,
  };
  return c.json(body, status, NO_STORE);
}

/** A form the schema refused, as `invalid_request` naming each field and what is wrong with it. */
export function invalidForm(c: Context, error: z.ZodError) {
  const fields = error.issues.map((issue) => `${issue.path.join(".") || "body"}: ${issue.message}`);
  return oauthError(c, "invalid_request", `The form is invalid. ${fields.join("; ")}.`);
}
