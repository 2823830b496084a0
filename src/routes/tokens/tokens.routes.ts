import { API_TOKEN_LIMITS } from "../../db/schema";
import { header } from "../../lib/openapi";
import { SMALL_BODY_BYTES } from "../../middleware/body-limit";
import { signedInRoute } from "../contracts";
import {
  ApiTokenIdParam,
  ApiTokenListSchema,
  ApiTokenSchema,
  CreateApiTokenSchema,
  NewApiTokenSchema,
} from "./token.schemas";

const tags = ["API tokens"];

export const createApiToken = signedInRoute(
  {
    operationId: "createApiToken",
    method: "post",
    path: "/v1/tokens",
    tags,
    summary: "A personal API token for a script or an assistant: some scopes, an expiry, perhaps one notebook",
    description:
      "Send it as `Authorization: Bearer cn_pat_…`. It may call the operations whose security lists one of its " +
      "scopes (403 `insufficient_scope` otherwise), sees no more than you do, and with `notebookId` only that " +
      "notebook. The token is in this answer only. " +
      `409 \`urn:cloud-notes:problem:api-token-limit\`: you have ${API_TOKEN_LIMITS.perUser} already.`,
    request: { body: { content: { "application/json": { schema: CreateApiTokenSchema } }, required: true } },
    responses: {
      201: {
        description: "Created; the token is in this answer only",
        content: { "application/json": { schema: NewApiTokenSchema } },
        headers: {
          "Cache-Control": header("Cache-Control", {
            required: true,
            description: "`no-store`: the token is in this answer only",
          }),
        },
      },
    },
  },
  // The token is in this one answer, which a replay would have to keep: a retry makes a second token.
  { scope: "session", maxBodyBytes: SMALL_BODY_BYTES, ignoresIdempotencyKey: true },
);

export const listApiTokens = signedInRoute(
  {
    operationId: "listApiTokens",
    method: "get",
    path: "/v1/tokens",
    tags,
    summary: "Your API tokens, newest first, without the tokens themselves",
    responses: { 200: { description: "Every token", content: { "application/json": { schema: ApiTokenListSchema } } } },
  },
  { scope: "session" },
);

export const getApiToken = signedInRoute(
  {
    operationId: "getApiToken",
    method: "get",
    path: "/v1/tokens/{id}",
    tags,
    summary: "One of your API tokens, without the token itself",
    request: { params: ApiTokenIdParam },
    responses: { 200: { description: "The token", content: { "application/json": { schema: ApiTokenSchema } } } },
  },
  { scope: "session" },
);

export const deleteApiToken = signedInRoute(
  {
    operationId: "deleteApiToken",
    method: "delete",
    path: "/v1/tokens/{id}",
    tags,
    summary: "Revoke an API token: the next request with it is refused",
    request: { params: ApiTokenIdParam },
    responses: { 204: { description: "Revoked" } },
  },
  { scope: "session" },
);
