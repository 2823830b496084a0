import { createRouter } from "../../lib/router";
import { requireUser } from "../../middleware/auth";
import { database } from "../../middleware/database";
import * as handlers from "./attachments.handlers";
import * as routes from "./attachments.routes";

const router = createRouter();
// Upload bodies are limited by MAX_ATTACHMENT_BYTES while they stream, not by a body-limit middleware.
router.use("/v1/notes/:id/attachments", requireUser(), database());
router.use("/v1/notes/:id/attachments/*", requireUser(), database());

export const attachmentsRouter = router
  .openapi(routes.uploadAttachment, handlers.uploadAttachment)
  .openapi(routes.listAttachments, handlers.listAttachments)
  .openapi(routes.downloadAttachment, handlers.downloadAttachment)
  .openapi(routes.replaceAttachment, handlers.replaceAttachment)
  .openapi(routes.deleteAttachment, handlers.deleteAttachment);
