import { createRouter } from "../../lib/router";
import * as handlers from "./notebooks.handlers";
import * as routes from "./notebooks.routes";

export const notebooksRouter = createRouter()
  .openapi(routes.createNotebook, handlers.createNotebook)
  .openapi(routes.listNotebooks, handlers.listNotebooks)
  .openapi(routes.getNotebook, handlers.getNotebook)
  .openapi(routes.updateNotebook, handlers.updateNotebook)
  .openapi(routes.deleteNotebook, handlers.deleteNotebook)
  .openapi(routes.listMembers, handlers.listMembers)
  .openapi(routes.updateMember, handlers.updateMember)
  .openapi(routes.removeMember, handlers.removeMember);
