import { headers } from "../../lib/openapi";
import { PageQuery } from "../../lib/schemas";
import { SMALL_BODY_BYTES } from "../../middleware/body-limit";
import { signedInRoute } from "../contracts";
import { NotebookIdParam, NotebookSchema } from "../notebooks/notebook.schemas";
import {
  CreateInvitationSchema,
  InvitationIdParam,
  InvitationListSchema,
  InvitationParams,
  InvitationSchema,
  ReceivedInvitationPageSchema,
} from "./invitation.schemas";

const tags = ["Invitations"];

export const invite = signedInRoute(
  {
    operationId: "invite",
    method: "post",
    path: "/v1/notebooks/{id}/invitations",
    tags,
    summary: "Invite an email to the notebook",
    description:
      "The answer is the same whether or not an account has the email; it joins when it accepts. Inviting a pending email again renews its invitation with the new role. 409: the email is a member's (`already-member`), the notebook is full (`member-limit`), or has too many pending invitations (`invitation-limit`).",
    request: {
      params: NotebookIdParam,
      body: { content: { "application/json": { schema: CreateInvitationSchema } }, required: true },
    },
    responses: {
      201: { description: "Invited", content: { "application/json": { schema: InvitationSchema } } },
    },
  },
  { scope: "notebooks:admin", maxBodyBytes: SMALL_BODY_BYTES, permission: "notebook.invite" },
);

export const listNotebookInvitations = signedInRoute(
  {
    operationId: "listNotebookInvitations",
    method: "get",
    path: "/v1/notebooks/{id}/invitations",
    tags,
    summary: "The notebook's pending invitations, newest first",
    request: { params: NotebookIdParam },
    responses: {
      200: {
        description: "Every pending invitation",
        content: { "application/json": { schema: InvitationListSchema } },
      },
    },
  },
  { scope: "notebooks:admin", permission: "invitation.read" },
);

export const getNotebookInvitation = signedInRoute(
  {
    operationId: "getNotebookInvitation",
    method: "get",
    path: "/v1/notebooks/{id}/invitations/{invitationId}",
    tags,
    summary: "One pending invitation (where an invitation's Location points)",
    request: { params: InvitationParams },
    responses: {
      200: { description: "The invitation", content: { "application/json": { schema: InvitationSchema } } },
    },
  },
  { scope: "notebooks:admin", permission: "invitation.read" },
);

export const cancelInvitation = signedInRoute(
  {
    operationId: "cancelInvitation",
    method: "delete",
    path: "/v1/notebooks/{id}/invitations/{invitationId}",
    tags,
    summary: "Cancel a pending invitation",
    request: { params: InvitationParams },
    responses: { 204: { description: "Cancelled" } },
  },
  { scope: "notebooks:admin", permission: "invitation.cancel" },
);

export const listMyInvitations = signedInRoute(
  {
    operationId: "listMyInvitations",
    method: "get",
    path: "/v1/invitations",
    tags,
    summary: "Pending invitations addressed to the caller's email, newest first",
    request: { query: PageQuery },
    responses: {
      200: { description: "A page", content: { "application/json": { schema: ReceivedInvitationPageSchema } } },
    },
  },
  { scope: "notebooks:admin" },
);

export const acceptInvitation = signedInRoute(
  {
    operationId: "acceptInvitation",
    method: "post",
    path: "/v1/invitations/{id}/accept",
    tags,
    summary: "Join the notebook with the invitation's role",
    description:
      "A member already keeps their role. Someone else's invitation, or one that expired, answers 404; a full notebook answers 409 `member-limit`.",
    request: { params: InvitationIdParam },
    responses: {
      200: {
        description: "The notebook, with the caller's role",
        content: { "application/json": { schema: NotebookSchema } },
        headers: headers("ETag"),
      },
    },
  },
  { scope: "notebooks:admin" },
);

export const declineInvitation = signedInRoute(
  {
    operationId: "declineInvitation",
    method: "post",
    path: "/v1/invitations/{id}/decline",
    tags,
    summary: "Decline an invitation",
    request: { params: InvitationIdParam },
    responses: { 204: { description: "Declined; the owner may invite again" } },
  },
  { scope: "notebooks:admin" },
);
