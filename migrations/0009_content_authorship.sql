ALTER TABLE "notes" ADD COLUMN "content_updated_at" timestamp with time zone DEFAULT now() NOT NULL;--> statement-breakpoint
-- Existing notes: their last change is the best known time their text was written.
UPDATE "notes" SET "content_updated_at" = "updated_at";--> statement-breakpoint
CREATE INDEX "note_revisions_edited_by_idx" ON "note_revisions" USING btree ("edited_by");--> statement-breakpoint
CREATE INDEX "notes_edited_by_idx" ON "notes" USING btree ("edited_by");