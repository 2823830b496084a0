import { createRoute, z } from "@hono/zod-openapi";
import { problems } from "../../lib/openapi";
import { signedIn } from "../../lib/openapi-security";
import { text } from "../../lib/schemas";
import { TokenResponseSchema } from "../auth/token-response";
import { DisplayNameSchema, PasswordSchema, UserSchema } from "./user.schemas";

const userJson = { "application/json": { schema: UserSchema } };

export const getMe = createRoute({
  method: "get",
  path: "/v1/users/me",
  tags: ["Accounts"],
  summary: "The signed-in user",
  security: signedIn,
  responses: { 200: { description: "The user", content: userJson }, ...problems(401, 503) },
});

const UpdateMeSchema = z
  .strictObject({ displayName: DisplayNameSchema.nullable().openapi({ description: "null clears it" }) })
  .openapi("UpdateMe");

export const updateMe = createRoute({
  method: "patch",
  path: "/v1/users/me",
  tags: ["Accounts"],
  summary: "Change the display name",
  security: signedIn,
  request: { body: { content: { "application/json": { schema: UpdateMeSchema } }, required: true } },
  responses: { 200: { description: "The updated user", content: userJson }, ...problems(400, 401, 413, 422, 503) },
});

const ChangePasswordSchema = z
  .strictObject({ currentPassword: text().min(1).max(1024), newPassword: PasswordSchema })
  .openapi("ChangePassword");

export const changePassword = createRoute({
  method: "post",
  path: "/v1/users/me/password",
  tags: ["Accounts"],
  summary: "Change the password; every other session ends",
  description:
    "Every access and refresh token issued before stops working. The answer carries a fresh token pair for the caller.",
  security: signedIn,
  request: { body: { content: { "application/json": { schema: ChangePasswordSchema } }, required: true } },
  responses: {
    200: {
      description: "New tokens for this client",
      content: { "application/json": { schema: TokenResponseSchema } },
    },
    ...problems(400, 401, 403, 413, 422, 429, 503),
  },
});

const DeleteMeSchema = z.strictObject({ password: text().min(1).max(1024) }).openapi("DeleteMe");

export const deleteMe = createRoute({
  method: "delete",
  path: "/v1/users/me",
  tags: ["Accounts"],
  summary: "Delete the account and everything it owns",
  security: signedIn,
  request: { body: { content: { "application/json": { schema: DeleteMeSchema } }, required: true } },
  responses: { 204: { description: "Deleted" }, ...problems(400, 401, 403, 413, 422, 429, 503) },
});
