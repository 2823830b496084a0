import { inTransaction } from "../../db/client";
import * as queries from "../../db/queries/attachments";
import { MAX_ATTACHMENTS_PER_NOTE } from "../../db/schema";
import { isDatabaseUnavailable } from "../../db/unavailable";
import { requestLogger } from "../../lib/log";
import { conflict, storageQuotaExceeded } from "../../lib/problem";
import type { AppRouteHandler } from "../../lib/router";
import { readIncomingUpload } from "../../storage/incoming-upload";
import { serveDownload } from "../../storage/serve-download";
import { storeKnownLength, storeUnknownLength } from "../../storage/store-object";
import { written } from "../after-write";
import { valueOrThrow } from "../outcome";
import type * as routes from "./attachments.routes";

const asAttachment = {
  noun: "attachment",
  missing: (what: string | undefined) =>
    what === "note" ? "No note with this id." : "No attachment with this id on this note.",
};

/** The limits an upload can run into, as the problem the client sees. */
function uploadProblems(quotaBytes: number) {
  return {
    ...asAttachment,
    refused: (limit: queries.UploadLimit) =>
      limit === "too-many-attachments"
        ? conflict(
            `A note holds at most ${MAX_ATTACHMENTS_PER_NOTE} attachments; delete one first.`,
            "attachment-limit",
          )
        : storageQuotaExceeded(quotaBytes),
  };
}

type UploadContext = Parameters<AppRouteHandler<typeof routes.uploadAttachment | typeof routes.replaceAttachment>>[0];

/**
 * reserve (Postgres) -> stream the bytes to a new object (R2) -> confirm (Postgres, one transaction).
 * Any failure after the reservation removes the object now, and the outbox row lets the sweep finish
 * the job if even that fails.
 */
async function storeUpload(c: UploadContext, noteId: string, replacing?: string) {
  const { config, db, caller } = c.var;
  const quotaBytes = config.USER_STORAGE_QUOTA_BYTES;
  const incoming = await readIncomingUpload(c.req.raw, c.req.query("filename"), config.MAX_ATTACHMENT_BYTES);
  // Keys are ours, never the filename: unguessable, and grouped by owner for operations.
  const objectKey = `users/${caller.userId}/${crypto.randomUUID()}`;

  const problems = uploadProblems(quotaBytes);
  valueOrThrow(
    await queries.reserveUpload(db, caller, {
      noteId,
      replacing,
      objectKey,
      announcedBytes: incoming.length ?? 0,
      quotaBytes,
    }),
    problems,
  );

  const bucket = c.env.ATTACHMENTS;
  try {
    const options = { maxBytes: config.MAX_ATTACHMENT_BYTES, contentType: incoming.contentType };
    const measured =
      incoming.length === undefined
        ? await storeUnknownLength(bucket, objectKey, incoming.body, options)
        : await storeKnownLength(bucket, objectKey, incoming.body, incoming.length, options);
    const confirmation = await inTransaction(config, c.executionCtx, (tx) =>
      queries.confirmUpload(
        tx,
        caller,
        { noteId, objectKey, filename: incoming.filename, contentType: incoming.contentType, quotaBytes, ...measured },
        replacing,
      ),
    );
    return await written(c, confirmation, problems);
  } catch (error) {
    // With the database unreachable, a commit may have landed unseen: the bytes stay until the sweep,
    // which deletes a reserved object only once no attachment row names it.
    if (!isDatabaseUnavailable(error)) {
      c.executionCtx.waitUntil(
        Promise.all([bucket.delete(objectKey), queries.discardReservation(db, objectKey)]).catch((cleanup) =>
          requestLogger(c).error("upload cleanup failed; the sweep will retry", cleanup),
        ),
      );
    }
    throw error;
  }
}

export const uploadAttachment: AppRouteHandler<typeof routes.uploadAttachment> = async (c) => {
  const { id: noteId } = c.req.valid("param");
  const attachment = await storeUpload(c, noteId);
  return c.json(attachment, 201, { Location: `/v1/notes/${noteId}/attachments/${attachment.id}` });
};

export const replaceAttachment: AppRouteHandler<typeof routes.replaceAttachment> = async (c) => {
  const { id: noteId, attachmentId } = c.req.valid("param");
  return c.json(await storeUpload(c, noteId, attachmentId), 200);
};

export const listAttachments: AppRouteHandler<typeof routes.listAttachments> = async (c) => {
  const items = valueOrThrow(
    await queries.listAttachments(c.var.db, c.var.caller, c.req.valid("param").id),
    asAttachment,
  );
  return c.json({ items, nextCursor: null }, 200);
};

export const downloadAttachment: AppRouteHandler<typeof routes.downloadAttachment> = async (c) => {
  const { id: noteId, attachmentId } = c.req.valid("param");
  const { attachment, objectKey } = valueOrThrow(
    await queries.findAttachment(c.var.db, c.var.caller, noteId, attachmentId),
    asAttachment,
  );

  return serveDownload(c.req.raw, c.env.ATTACHMENTS, { ...attachment, objectKey }, "private, no-cache");
};

export const deleteAttachment: AppRouteHandler<typeof routes.deleteAttachment> = async (c) => {
  const { id: noteId, attachmentId } = c.req.valid("param");
  await written(c, await queries.deleteAttachment(c.var.db, c.var.caller, noteId, attachmentId), asAttachment);
  return c.body(null, 204);
};
