import { z } from "@hono/zod-openapi";
import { header, problem, problems } from "../../lib/openapi";
import { text } from "../../lib/schemas";
import { SMALL_BODY_BYTES } from "../../middleware/body-limit";
import { rateLimitByClientIp } from "../../middleware/rate-limit";
import { DisplayNameSchema, EmailSchema, PasswordSchema } from "../../sessions/credentials";
import { perClientIp } from "../../sessions/login-throttle";
import { TokenResponseSchema } from "../../sessions/token-response";
import { openRoute } from "../contracts";
import { UserSchema } from "../users/user.schemas";
import { OAuthErrorSchema } from "./oauth-error";

/** RFC 6749 5.2: the token endpoints answer their own errors as OAuth clients expect, never cached. */
const oauthErrorResponse = {
  description:
    "RFC 6749 error: `invalid_request` (naming each refused field), `invalid_grant`, `unsupported_grant_type`",
  content: { "application/json": { schema: OAuthErrorSchema } },
  headers: { "Cache-Control": header("Cache-Control", { required: true, description: "`no-store`" }) },
};
const noStore = {
  "Cache-Control": header("Cache-Control", { required: true, description: "`no-store`: it holds tokens" }),
};

const RegisterSchema = z
  .strictObject({ email: EmailSchema, password: PasswordSchema, displayName: DisplayNameSchema.optional() })
  .openapi("Register");

export const register = openRoute(
  {
    operationId: "register",
    method: "post",
    path: "/v1/auth/register",
    tags: ["Accounts"],
    summary: "Create an account",
    request: { body: { content: { "application/json": { schema: RegisterSchema } }, required: true } },
    responses: {
      201: {
        description: "Created; `Location` points at /v1/users/me",
        content: { "application/json": { schema: UserSchema } },
      },
      ...problems(429),
    },
  },
  { before: [rateLimitByClientIp(perClientIp("register"))], maxBodyBytes: SMALL_BODY_BYTES },
);

// One flat form for both grants (RFC 6749 4.3 and 6); which fields a grant needs is checked by the handler,
// so that a missing one is answered as `invalid_request`, as OAuth clients expect.
const TokenRequestSchema = z
  .object({
    grant_type: text().openapi({ enum: ["password", "refresh_token"] }),
    username: text().optional().openapi({ description: "The email address (password grant)" }),
    password: text().optional().openapi({ format: "password", description: "password grant" }),
    refresh_token: text().optional().openapi({ description: "refresh_token grant" }),
    scope: text().optional().openapi({ description: "Ignored: tokens carry no scopes" }),
    client_id: text().optional().openapi({ description: "Ignored: every client is public" }),
  })
  .openapi("TokenRequest");

export const token = openRoute(
  {
    operationId: "token",
    method: "post",
    path: "/v1/auth/token",
    tags: ["Accounts"],
    summary: "OAuth 2.0 token endpoint: sign in (password grant) or refresh (refresh_token grant)",
    description:
      "Form-encoded (RFC 6749). Refresh tokens rotate on every use; presenting a rotated one again revokes its whole sign-in.",
    request: {
      body: { content: { "application/x-www-form-urlencoded": { schema: TokenRequestSchema } }, required: true },
    },
    responses: {
      200: {
        description: "Tokens",
        content: { "application/json": { schema: TokenResponseSchema } },
        headers: noStore,
      },
      400: oauthErrorResponse,
      429: problem(429, {
        description:
          "Password grant: too many sign-ins from this network (rate-limited), or too many wrong passwords " +
          "for this account (too-many-failed-sign-ins); retry after Retry-After",
      }),
    },
  },
  // Only the password grant is limited per client IP, in the handler: refreshing guesses nothing.
  // OAuth has its own retry rules (a rotated refresh token is spent): no Idempotency-Key here.
  { maxBodyBytes: SMALL_BODY_BYTES, ignoresIdempotencyKey: true },
);

const RevokeRequestSchema = z
  .object({
    token: text().openapi({ description: "A refresh token" }),
    token_type_hint: text().optional(),
  })
  .openapi("RevokeRequest");

export const revoke = openRoute(
  {
    operationId: "revoke",
    method: "post",
    path: "/v1/auth/revoke",
    tags: ["Accounts"],
    summary: "Sign out: revoke a refresh token and every token rotated from the same sign-in (RFC 7009)",
    request: {
      body: { content: { "application/x-www-form-urlencoded": { schema: RevokeRequestSchema } }, required: true },
    },
    responses: {
      200: { description: "Revoked, or nothing to revoke: the answer is the same (RFC 7009 2.2)" },
      400: oauthErrorResponse,
    },
  },
  { maxBodyBytes: SMALL_BODY_BYTES, ignoresIdempotencyKey: true },
);
