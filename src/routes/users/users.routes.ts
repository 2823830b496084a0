import { z } from "@hono/zod-openapi";
import { problems } from "../../lib/openapi";
import { text } from "../../lib/schemas";
import { SMALL_BODY_BYTES } from "../../middleware/body-limit";
import { DisplayNameSchema, PasswordSchema } from "../../sessions/credentials";
import { TokenResponseSchema } from "../../sessions/token-response";
import { signedInRoute } from "../contracts";
import { UserSchema } from "./user.schemas";

const userJson = { "application/json": { schema: UserSchema } };

export const getMe = signedInRoute(
  {
    method: "get",
    path: "/v1/users/me",
    tags: ["Accounts"],
    summary: "The signed-in user",
    responses: { 200: { description: "The user", content: userJson }, ...problems(401) },
  },
  { maxBodyBytes: SMALL_BODY_BYTES },
);

const UpdateMeSchema = z
  .strictObject({ displayName: DisplayNameSchema.nullable().openapi({ description: "null clears it" }) })
  .openapi("UpdateMe");

export const updateMe = signedInRoute(
  {
    method: "patch",
    path: "/v1/users/me",
    tags: ["Accounts"],
    summary: "Change the display name",
    request: { body: { content: { "application/json": { schema: UpdateMeSchema } }, required: true } },
    responses: { 200: { description: "The updated user", content: userJson }, ...problems(400, 401, 413, 422) },
  },
  { maxBodyBytes: SMALL_BODY_BYTES },
);

const ChangePasswordSchema = z
  .strictObject({ currentPassword: text().min(1).max(1024), newPassword: PasswordSchema })
  .openapi("ChangePassword");

export const changePassword = signedInRoute(
  {
    method: "post",
    path: "/v1/users/me/password",
    tags: ["Accounts"],
    summary: "Change the password; every other session ends",
    description:
      "Every access and refresh token issued before stops working. The answer carries a fresh token pair for the caller.",
    request: { body: { content: { "application/json": { schema: ChangePasswordSchema } }, required: true } },
    responses: {
      200: {
        description: "New tokens for this client",
        content: { "application/json": { schema: TokenResponseSchema } },
      },
      ...problems(400, 401, 403, 413, 422, 429),
    },
  },
  // It answers new tokens, which are kept nowhere; and it ends the session a retry would replay to.
  { maxBodyBytes: SMALL_BODY_BYTES, ignoresIdempotencyKey: true },
);

const DeleteMeSchema = z.strictObject({ password: text().min(1).max(1024) }).openapi("DeleteMe");

export const deleteMe = signedInRoute(
  {
    method: "delete",
    path: "/v1/users/me",
    tags: ["Accounts"],
    summary: "Delete the account and everything it owns",
    description:
      "Deletes your loose notes, the notebooks you own with every note in them, those notes' attachments and " +
      "their bytes, your memberships, and the invitations addressed to your email. Notes you wrote in other " +
      "people's notebooks stay there and pass to each notebook's owner; other members' loose notes are untouched.",
    request: { body: { content: { "application/json": { schema: DeleteMeSchema } }, required: true } },
    responses: { 204: { description: "Deleted" }, ...problems(400, 401, 403, 413, 422, 429) },
  },
  { maxBodyBytes: SMALL_BODY_BYTES },
);
