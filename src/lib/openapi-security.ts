import type { ApiScope } from "../db/schema";

/**
 * Who may call a signed-in operation: a password sign-in (Swagger UI's "Authorize" signs in through the
 * password grant, or an access token), and an API token holding `scope` ("any": any token at all);
 * undefined: password only.
 */
export const signedIn = (scope: ApiScope | "any" | undefined): Record<string, string[]>[] => [
  { OAuth2Password: [] },
  { BearerAuth: [] },
  ...(scope ? [{ ApiToken: scope === "any" ? [] : [scope] }] : []),
];

export const securitySchemes = {
  OAuth2Password: {
    type: "oauth2" as const,
    description: "Sign in with your email as username.",
    flows: { password: { tokenUrl: "/v1/auth/token", refreshUrl: "/v1/auth/token", scopes: {} } },
  },
  BearerAuth: { type: "http" as const, scheme: "bearer", bearerFormat: "JWT" },
  ApiToken: {
    type: "http" as const,
    scheme: "bearer",
    bearerFormat: "cn_pat_…",
    description:
      "A personal API token (POST /v1/tokens): only the operations whose security lists one of its scopes, " +
      "and none that manage tokens, the password or the account's deletion.",
  },
};
