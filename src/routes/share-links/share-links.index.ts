import { createRouter } from "../../lib/router";
import * as handlers from "./share-links.handlers";
import * as routes from "./share-links.routes";

export const shareLinksRouter = createRouter()
  .openapi(routes.createShareLink, handlers.createShareLink)
  .openapi(routes.listShareLinks, handlers.listShareLinks)
  .openapi(routes.getShareLink, handlers.getShareLink)
  .openapi(routes.deleteShareLink, handlers.deleteShareLink)
  // A malformed token or id gets the same 404 as a token that opens nothing, not the generic one.
  .openapi(routes.readSharedNote, handlers.readSharedNote, handlers.notFoundOnInvalid(handlers.noSharedNote))
  .openapi(
    routes.downloadSharedAttachment,
    handlers.downloadSharedAttachment,
    handlers.notFoundOnInvalid(handlers.noSharedAttachment),
  );
