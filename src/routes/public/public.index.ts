import { createRouter } from "../../lib/router";
import * as handlers from "./public.handlers";
import * as routes from "./public.routes";

export const publicRouter = createRouter()
  .openapi(routes.listPublicNotes, handlers.listPublicNotes)
  .openapi(routes.getPublicNote, handlers.getPublicNote)
  .openapi(routes.downloadPublicAttachment, handlers.downloadPublicAttachment)
  .openapi(routes.castVote, handlers.castVote)
  .openapi(routes.withdrawVote, handlers.withdrawVote);
