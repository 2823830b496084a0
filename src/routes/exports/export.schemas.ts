import { z } from "@hono/zod-openapi";
import { IMPORT_LIMITS } from "../../db/schema";
import { text } from "../../lib/schemas";

export const ExportQuery = z.object({
  notebookId: z.uuid().optional().openapi({ description: "Only this notebook's notes (you need to be a member)" }),
});

export const ImportQuery = z.object({
  notebookId: z.uuid().optional().openapi({
    description:
      "Put every note into this notebook (you need to be its editor or owner) instead of the notebooks the files name",
  }),
  filename: text().min(1).max(255).optional().openapi({
    description: "For a single Markdown file: its name, whose stem is the title when its front matter has none",
  }),
});

const ImportedNote = z.object({
  file: z.string().openapi({ description: "The Markdown file in the archive" }),
  id: z.uuid().openapi({ description: "The note it became (the same on every import of this file by you)" }),
  status: z.enum(["created", "unchanged"]).openapi({
    description: "`unchanged`: an earlier import already made this note, so it was left as it is",
  }),
});

export const ImportReportSchema = z
  .object({
    created: z.number().int(),
    unchanged: z.number().int(),
    notes: z.array(ImportedNote),
    skipped: z.array(z.string()).openapi({
      description: `Files that are neither notes nor their attachments (at most ${IMPORT_LIMITS.reportedSkips} named)`,
    }),
  })
  .openapi("ImportReport");

export type ImportReport = z.infer<typeof ImportReportSchema>;
