import { createRouter } from "../../lib/router";
import * as handlers from "./revisions.handlers";
import * as routes from "./revisions.routes";

export const revisionsRouter = createRouter()
  .openapi(routes.listRevisions, handlers.listRevisions)
  .openapi(routes.getRevision, handlers.getRevision)
  .openapi(routes.restoreRevision, handlers.restoreRevision);
