/** Operations that need a signed-in user: Swagger UI's "Authorize" signs in through the password grant. */
export const signedIn: Record<string, string[]>[] = [{ OAuth2Password: [] }, { BearerAuth: [] }];

export const securitySchemes = {
  OAuth2Password: {
    type: "oauth2" as const,
    description: "Sign in with your email as username.",
    flows: { password: { tokenUrl: "/v1/auth/token", refreshUrl: "/v1/auth/token", scopes: {} } },
  },
  BearerAuth: { type: "http" as const, scheme: "bearer", bearerFormat: "JWT" },
};
