import { createRouter } from "../../lib/router";
import * as handlers from "./attachments.handlers";
import * as routes from "./attachments.routes";

// Upload bodies are limited by MAX_ATTACHMENT_BYTES while they stream, not by a body-limit middleware.
export const attachmentsRouter = createRouter()
  .openapi(routes.uploadAttachment, handlers.uploadAttachment)
  .openapi(routes.listAttachments, handlers.listAttachments)
  .openapi(routes.downloadAttachment, handlers.downloadAttachment)
  .openapi(routes.replaceAttachment, handlers.replaceAttachment)
  .openapi(routes.deleteAttachment, handlers.deleteAttachment);
