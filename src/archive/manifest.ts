import { z } from "zod";

// manifest.json, the export's table of contents: what each Markdown file is and which files beside it
// are its attachments. One schema for writing it (export) and for reading it back (import). Archives
// without one (a folder of Markdown from elsewhere) import too, from their front matter alone.

export const EXPORT_FORMAT = "cloud-notes-export";
export const EXPORT_VERSION = 1;

const ManifestAttachment = z.object({
  id: z.uuid(),
  path: z.string().min(1),
  filename: z.string().min(1),
  contentType: z.string().min(1),
  size: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  createdAt: z.iso.datetime(),
});

const ManifestNote = z.object({
  id: z.uuid(),
  path: z.string().min(1),
  notebook: z.object({ id: z.uuid(), name: z.string() }).nullable(),
  attachments: z.array(ManifestAttachment),
});

export const ManifestSchema = z.object({
  format: z.literal(EXPORT_FORMAT),
  version: z.literal(EXPORT_VERSION),
  exportedAt: z.iso.datetime(),
  notes: z.array(ManifestNote),
});

export type Manifest = z.infer<typeof ManifestSchema>;
export type ManifestEntry = z.infer<typeof ManifestNote>;
export type ManifestAttachmentEntry = z.infer<typeof ManifestAttachment>;
