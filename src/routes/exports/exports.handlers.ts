import { exportArchive } from "../../archive/export-archive";
import { exportPage } from "../../db/queries/exports";
import { contentDisposition } from "../../lib/filename";
import { requestLogger } from "../../lib/log";
import type { AppRouteHandler } from "../../lib/router";
import { valueOrThrow } from "../outcome";
import type * as routes from "./exports.routes";
import { importArchive } from "./import-handler";

/** Notes per statement: a page's contents are the only notes in memory at once. */
const EXPORT_PAGE_NOTES = 100;

const asExport = { noun: "notebook", missing: () => "No notebook with this id." };

export const exportNotes: AppRouteHandler<typeof routes.exportNotes> = async (c) => {
  const { notebookId } = c.req.valid("query");
  const { db, caller } = c.var;
  // A token that may not read attachments exports the notes alone.
  const withAttachments = caller.kind !== "token" || caller.scopes.includes("attachments:read");
  const page = async (afterId: string | undefined) => {
    const found = valueOrThrow(
      await exportPage(db, caller, { notebookId, afterId, limit: EXPORT_PAGE_NOTES }),
      asExport,
    );
    const notes = found
      .slice(0, EXPORT_PAGE_NOTES)
      .map((note) => (withAttachments ? note : { ...note, attachments: [] }));
    return { notes, more: found.length > EXPORT_PAGE_NOTES };
  };
  // The first page before the answer, so a bad notebook or an ended session still gets its status.
  const first = await page(undefined);
  const log = requestLogger(c);
  const archive = exportArchive(
    {
      page,
      object: async (key) => (await c.env.ATTACHMENTS.get(key))?.body ?? null,
      missing: (ids) => log.error("export: an attachment's object is missing", undefined, ids),
      failed: (error) => log.error("export: cut short", error),
    },
    first,
  );
  const day = new Date().toISOString().slice(0, 10);
  return c.body(archive, 200, {
    "Content-Type": "application/zip",
    "Content-Disposition": contentDisposition(`cloud-notes-${day}.zip`),
  });
};

export const importNotes: AppRouteHandler<typeof routes.importNotes> = async (c) => c.json(await importArchive(c), 200);
