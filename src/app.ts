import { methodNotAllowed as methodNotAllowedMiddleware } from "hono/method-not-allowed";
import { requestId } from "hono/request-id";
import { secureHeaders } from "hono/secure-headers";
import { version } from "../package.json";
import { registerProblemExamples, SERVERS } from "./lib/openapi";
import { securitySchemes } from "./lib/openapi-security";
import { methodNotAllowed } from "./lib/problem";
import { createRouter } from "./lib/router";
import { type McpTarget, serveMcp } from "./mcp/endpoint";
import { accessLog } from "./middleware/access-log";
import { requireUser } from "./middleware/auth";
import { limitBody } from "./middleware/body-limit";
import { corsFromConfig } from "./middleware/cors-from-config";
import { database } from "./middleware/database";
import { onError, onNotFound } from "./middleware/error-handler";
import { attachmentsRouter } from "./routes/attachments/attachments.index";
import { authRouter } from "./routes/auth/auth.index";
import { changesRouter } from "./routes/changes/changes.index";
import { docsRouter } from "./routes/docs/docs.index";
import { OPENAPI_DOCUMENT_PATH } from "./routes/docs/docs.pages";
import { exportsRouter } from "./routes/exports/exports.index";
import { healthRouter } from "./routes/health/health.index";
import { invitationsRouter } from "./routes/invitations/invitations.index";
import { notebooksRouter } from "./routes/notebooks/notebooks.index";
import { notesRouter } from "./routes/notes/notes.index";
import { publicRouter } from "./routes/public/public.index";
import { revisionsRouter } from "./routes/revisions/revisions.index";
import { shareLinksRouter } from "./routes/share-links/share-links.index";
import { tokensRouter } from "./routes/tokens/tokens.index";
import { trashRouter } from "./routes/trash/trash.index";
import { usersRouter } from "./routes/users/users.index";
import { webhooksRouter } from "./routes/webhooks/webhooks.index";

/** An MCP message carries at most one tool call's input: a note's body is the largest (1 MiB, as its route takes). */
const MCP_BODY_BYTES = 1024 * 1024;

export function createApp() {
  const app = createRouter();
  app.use(requestId({ headerName: "X-Request-Id" }));
  app.use(accessLog());
  app.use(secureHeaders());
  app.use(corsFromConfig());
  app.use(
    methodNotAllowedMiddleware({
      app,
      onMethodNotAllowed: (_c, allowed) => {
        throw methodNotAllowed(allowed);
      },
    }),
  );

  // One chain, so the returned app's type carries every route: that is what types `hc<AppType>`.
  const api = app
    .route("/", healthRouter)
    .route("/", authRouter)
    .route("/", usersRouter)
    .route("/", tokensRouter)
    .route("/", notesRouter)
    .route("/", publicRouter)
    .route("/", attachmentsRouter)
    .route("/", notebooksRouter)
    .route("/", invitationsRouter)
    .route("/", shareLinksRouter)
    .route("/", trashRouter)
    .route("/", revisionsRouter)
    .route("/", changesRouter)
    .route("/", webhooksRouter)
    .route("/", exportsRouter)
    .route("/", docsRouter);

  for (const [name, scheme] of Object.entries(securitySchemes)) {
    app.openAPIRegistry.registerComponent("securitySchemes", name, scheme);
  }
  registerProblemExamples(app.openAPIRegistry);
  const documentConfig = {
    openapi: "3.1.0",
    info: {
      title: "Cloud Notes API",
      version,
      description:
        "Notes with attachments, at the edge. Errors are RFC 9457 `application/problem+json`. Every answer " +
        "carries `X-Request-Id`: the one sent, when it is 1 to 255 characters of `[A-Za-z0-9_=-]`, else a new one. " +
        "`POST /mcp` serves these operations as Model Context Protocol tools, for assistants with an API token.",
    },
    servers: SERVERS,
    // Operations that say no `security` of their own need no sign-in.
    security: [],
  };
  app.doc31(OPENAPI_DOCUMENT_PATH, documentConfig);

  // The MCP endpoint's tools are the operations above, made from this same document once per isolate.
  let document: ReturnType<typeof app.getOpenAPI31Document> | undefined;
  const mcpTarget: McpTarget = {
    fetch: (request, env, ctx) => app.fetch(request, env, ctx),
    document: () => {
      document ??= app.getOpenAPI31Document(documentConfig);
      return document;
    },
  };
  app.post("/mcp", limitBody(MCP_BODY_BYTES), requireUser("any"), database(), (c) => serveMcp(c, mcpTarget));

  app.notFound(onNotFound);
  app.onError(onError);
  return api;
}

/** Every route with its request and response types, for Hono's typed client (`src/client.ts`). */
export type AppType = ReturnType<typeof createApp>;
