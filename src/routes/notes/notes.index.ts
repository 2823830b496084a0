import { createRouter } from "../../lib/router";
import { requireUser } from "../../middleware/auth";
import { limitBody } from "../../middleware/body-limit";
import { database } from "../../middleware/database";
import * as handlers from "./notes.handlers";
import * as routes from "./notes.routes";

const router = createRouter();
// Room for the largest note: 100,000 characters of up to 4 bytes each in UTF-8, plus JSON escaping.
const NOTE_BODY_BYTES = 1024 * 1024;

router.on(["POST"], routes.createNote.path, limitBody(NOTE_BODY_BYTES));
router.on(["PATCH"], "/v1/notes/:id", limitBody(NOTE_BODY_BYTES));
router.use("/v1/notes", requireUser(), database());
router.use("/v1/notes/:id", requireUser(), database());

export const notesRouter = router
  .openapi(routes.createNote, handlers.createNote)
  .openapi(routes.listNotes, handlers.listNotes)
  .openapi(routes.getNote, handlers.getNote)
  .openapi(routes.updateNote, handlers.updateNote)
  .openapi(routes.deleteNote, handlers.deleteNote);
