import type { z } from "@hono/zod-openapi";
import { headers, problems } from "../../lib/openapi";
import { IfNoneMatchHeader, ifMatchHeader, PageQuery } from "../../lib/schemas";
import { SMALL_BODY_BYTES } from "../../middleware/body-limit";
import { signedInRoute } from "../contracts";
import {
  CreateNotebookSchema,
  MemberPageSchema,
  MemberParams,
  MemberSchema,
  NotebookIdParam,
  NotebookPageSchema,
  NotebookSchema,
  UpdateMemberSchema,
  UpdateNotebookSchema,
} from "./notebook.schemas";

const tags = ["Notebooks"];
const notebookJson = { "application/json": { schema: NotebookSchema } };
const ifMatch = ifMatchHeader("notebook");
const body = <S extends z.ZodType>(schema: S) => ({ content: { "application/json": { schema } }, required: true });

export const createNotebook = signedInRoute(
  {
    operationId: "createNotebook",
    method: "post",
    path: "/v1/notebooks",
    tags,
    summary: "Create a notebook; the caller is its owner",
    request: { body: body(CreateNotebookSchema) },
    responses: { 201: { description: "Created", content: notebookJson, headers: headers("ETag") } },
  },
  { scope: "notebooks:admin", maxBodyBytes: SMALL_BODY_BYTES },
);

export const listNotebooks = signedInRoute(
  {
    operationId: "listNotebooks",
    method: "get",
    path: "/v1/notebooks",
    tags,
    summary: "The notebooks the caller owns or belongs to, newest first",
    request: { query: PageQuery },
    responses: { 200: { description: "A page", content: { "application/json": { schema: NotebookPageSchema } } } },
  },
  { scope: "notes:read" },
);

export const getNotebook = signedInRoute(
  {
    operationId: "getNotebook",
    method: "get",
    path: "/v1/notebooks/{id}",
    tags,
    summary: "One notebook, with the caller's role on it",
    request: { params: NotebookIdParam, headers: IfNoneMatchHeader },
    responses: {
      200: { description: "The notebook", content: notebookJson, headers: headers("ETag") },
      304: { description: "Not modified since the ETag in If-None-Match", headers: headers("ETag") },
    },
  },
  { scope: "notes:read", permission: "notebook.read" },
);

export const updateNotebook = signedInRoute(
  {
    operationId: "updateNotebook",
    method: "patch",
    path: "/v1/notebooks/{id}",
    tags,
    summary: "Rename a notebook or change its description",
    request: { params: NotebookIdParam, headers: ifMatch, body: body(UpdateNotebookSchema) },
    responses: {
      200: { description: "The updated notebook", content: notebookJson, headers: headers("ETag") },
      ...problems(412),
    },
  },
  { scope: "notebooks:admin", maxBodyBytes: SMALL_BODY_BYTES, permission: "notebook.edit" },
);

export const deleteNotebook = signedInRoute(
  {
    operationId: "deleteNotebook",
    method: "delete",
    path: "/v1/notebooks/{id}",
    tags,
    summary: "Delete a notebook with all its notes",
    description:
      "Deletes the notebook and everything in it: its notes (whoever wrote them), their attachments with their bytes, its memberships and its pending invitations. It cannot be undone.",
    request: { params: NotebookIdParam, headers: ifMatch },
    responses: { 204: { description: "Deleted" }, ...problems(412) },
  },
  { scope: "notebooks:admin", permission: "notebook.delete" },
);

export const listMembers = signedInRoute(
  {
    operationId: "listMembers",
    method: "get",
    path: "/v1/notebooks/{id}/members",
    tags,
    summary: "The notebook's members, the owner first, in the order they joined",
    request: { params: NotebookIdParam },
    responses: {
      200: { description: "Every member", content: { "application/json": { schema: MemberPageSchema } } },
    },
  },
  { scope: "notes:read", permission: "member.read" },
);

export const updateMember = signedInRoute(
  {
    operationId: "updateMember",
    method: "patch",
    path: "/v1/notebooks/{id}/members/{userId}",
    tags,
    summary: "Change a member's role",
    description: "Takes effect with the member's next request. The owner's own role cannot change (409 `owner-role`).",
    request: { params: MemberParams, body: body(UpdateMemberSchema) },
    responses: {
      200: { description: "The member", content: { "application/json": { schema: MemberSchema } } },
    },
  },
  { scope: "notebooks:admin", maxBodyBytes: SMALL_BODY_BYTES, permission: "member.changeRole" },
);

export const removeMember = signedInRoute(
  {
    operationId: "removeMember",
    method: "delete",
    path: "/v1/notebooks/{id}/members/{userId}",
    tags,
    summary: "Remove a member, or leave the notebook",
    description:
      "The owner removes a member; a member removes themself to leave. The owner can neither leave nor be removed (409 `owner-role`); the notes a member wrote stay in the notebook.",
    request: { params: MemberParams },
    responses: { 204: { description: "Removed" } },
  },
  { scope: "notebooks:admin", permission: "member.remove" },
);
