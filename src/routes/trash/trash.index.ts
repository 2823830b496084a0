import { createRouter } from "../../lib/router";
import * as handlers from "./trash.handlers";
import * as routes from "./trash.routes";

export const trashRouter = createRouter()
  .openapi(routes.listTrash, handlers.listTrash)
  .openapi(routes.restoreNote, handlers.restoreNote)
  .openapi(routes.purgeNote, handlers.purgeNote);
