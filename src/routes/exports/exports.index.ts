import { createRouter } from "../../lib/router";
import * as handlers from "./exports.handlers";
import * as routes from "./exports.routes";

export const exportsRouter = createRouter()
  .openapi(routes.exportNotes, handlers.exportNotes)
  .openapi(routes.importNotes, handlers.importNotes);
