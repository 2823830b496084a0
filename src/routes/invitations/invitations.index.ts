import { createRouter } from "../../lib/router";
import * as handlers from "./invitations.handlers";
import * as routes from "./invitations.routes";

export const invitationsRouter = createRouter()
  .openapi(routes.invite, handlers.invite)
  .openapi(routes.listNotebookInvitations, handlers.listNotebookInvitations)
  .openapi(routes.getNotebookInvitation, handlers.getNotebookInvitation)
  .openapi(routes.cancelInvitation, handlers.cancelInvitation)
  .openapi(routes.listMyInvitations, handlers.listMyInvitations)
  .openapi(routes.acceptInvitation, handlers.acceptInvitation)
  .openapi(routes.declineInvitation, handlers.declineInvitation);
