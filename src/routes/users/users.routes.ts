import { z } from "@hono/zod-openapi";
import { header, problem } from "../../lib/openapi";
import { text } from "../../lib/schemas";
import { SMALL_BODY_BYTES } from "../../middleware/body-limit";
import { DisplayNameSchema, PasswordSchema } from "../../sessions/credentials";
import { TokenResponseSchema } from "../../sessions/token-response";
import { signedInRoute } from "../contracts";
import { UserSchema } from "./user.schemas";

const userJson = { "application/json": { schema: UserSchema } };
/** Confirming with the password: a wrong one is 403, and repeated wrong ones lock the account for a while. */
const wrongPassword = {
  403: problem(403, { description: "The password is wrong (`urn:cloud-notes:problem:wrong-password`)" }),
  429: problem(429, {
    description: "Too many wrong passwords: locked until Retry-After (`too-many-failed-sign-ins`)",
  }),
};
const noStore = {
  "Cache-Control": header("Cache-Control", { required: true, description: "`no-store`: it holds tokens" }),
};

export const getMe = signedInRoute(
  {
    operationId: "getMe",
    method: "get",
    path: "/v1/users/me",
    tags: ["Accounts"],
    summary: "The signed-in user",
    responses: { 200: { description: "The user", content: userJson } },
  },
  { scope: "account:read", maxBodyBytes: SMALL_BODY_BYTES },
);

const UpdateMeSchema = z
  .strictObject({ displayName: DisplayNameSchema.nullable().openapi({ description: "null clears it" }) })
  .openapi("UpdateMe");

export const updateMe = signedInRoute(
  {
    operationId: "updateMe",
    method: "patch",
    path: "/v1/users/me",
    tags: ["Accounts"],
    summary: "Change the display name",
    request: { body: { content: { "application/json": { schema: UpdateMeSchema } }, required: true } },
    responses: { 200: { description: "The updated user", content: userJson } },
  },
  { scope: "account:write", maxBodyBytes: SMALL_BODY_BYTES },
);

const ChangePasswordSchema = z
  .strictObject({ currentPassword: text().min(1).max(1024), newPassword: PasswordSchema })
  .openapi("ChangePassword");

export const changePassword = signedInRoute(
  {
    operationId: "changePassword",
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
        headers: noStore,
      },
      ...wrongPassword,
    },
  },
  // It answers new tokens, which are kept nowhere; and it ends the session a retry would replay to.
  { scope: "session", maxBodyBytes: SMALL_BODY_BYTES, ignoresIdempotencyKey: true },
);

const DeleteMeSchema = z.strictObject({ password: text().min(1).max(1024) }).openapi("DeleteMe");

export const deleteMe = signedInRoute(
  {
    operationId: "deleteMe",
    method: "delete",
    path: "/v1/users/me",
    tags: ["Accounts"],
    summary: "Delete the account and everything it owns",
    description:
      "Deletes your loose notes, the notebooks you own with every note in them, those notes' attachments and " +
      "their bytes, your memberships, and the invitations addressed to your email. Notes you wrote in other " +
      "people's notebooks stay there and pass to each notebook's owner; other members' loose notes are untouched.",
    request: { body: { content: { "application/json": { schema: DeleteMeSchema } }, required: true } },
    responses: { 204: { description: "Deleted" }, ...wrongPassword },
  },
  { scope: "session", maxBodyBytes: SMALL_BODY_BYTES },
);
