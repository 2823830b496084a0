import { createRouter } from "../../lib/router";
import * as handlers from "./notes.handlers";
import * as routes from "./notes.routes";

export const notesRouter = createRouter()
  .openapi(routes.createNote, handlers.createNote)
  .openapi(routes.listNotes, handlers.listNotes)
  .openapi(routes.getNote, handlers.getNote)
  .openapi(routes.updateNote, handlers.updateNote)
  .openapi(routes.deleteNote, handlers.deleteNote);
