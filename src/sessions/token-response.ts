import { z } from "@hono/zod-openapi";
import type { Config } from "../env";
import { type AccessTokenSubject, signAccessToken } from "../lib/tokens";

export const TokenResponseSchema = z
  .object({
    access_token: z.string(),
    token_type: z.literal("Bearer"),
    expires_in: z.number().int().openapi({ description: "Seconds until the access token expires" }),
    refresh_token: z.string(),
  })
  .openapi("TokenResponse");

/** RFC 6749 section 5.1, for a refresh token the caller has already stored. */
export async function tokenResponse(config: Config, subject: AccessTokenSubject, refreshToken: string) {
  return {
    access_token: await signAccessToken(subject, config.JWT_SECRETS, config.ACCESS_TOKEN_TTL_SECONDS),
    token_type: "Bearer" as const,
    expires_in: config.ACCESS_TOKEN_TTL_SECONDS,
    refresh_token: refreshToken,
  };
}

/** RFC 6749 section 5.1: token responses must not be cached. */
export const NO_STORE = { "Cache-Control": "no-store", Pragma: "no-cache" };
