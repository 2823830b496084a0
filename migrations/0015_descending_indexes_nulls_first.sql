DROP INDEX "note_revisions_note_created_idx";--> statement-breakpoint
DROP INDEX "notes_owner_updated_idx";--> statement-breakpoint
DROP INDEX "notes_owner_created_idx";--> statement-breakpoint
DROP INDEX "notes_notebook_updated_idx";--> statement-breakpoint
DROP INDEX "notes_notebook_created_idx";--> statement-breakpoint
DROP INDEX "notes_public_new_idx";--> statement-breakpoint
DROP INDEX "notes_public_top_idx";--> statement-breakpoint
CREATE INDEX "note_revisions_note_created_idx" ON "note_revisions" USING btree ("note_id","created_at" DESC NULLS FIRST,"id" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "notes_owner_updated_idx" ON "notes" USING btree ("owner_id","updated_at" DESC NULLS FIRST,"id" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "notes_owner_created_idx" ON "notes" USING btree ("owner_id","created_at" DESC NULLS FIRST,"id" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "notes_notebook_updated_idx" ON "notes" USING btree ("notebook_id","updated_at" DESC NULLS FIRST,"id" DESC NULLS FIRST) WHERE "notes"."notebook_id" is not null;--> statement-breakpoint
CREATE INDEX "notes_notebook_created_idx" ON "notes" USING btree ("notebook_id","created_at" DESC NULLS FIRST,"id" DESC NULLS FIRST) WHERE "notes"."notebook_id" is not null;--> statement-breakpoint
CREATE INDEX "notes_public_new_idx" ON "notes" USING btree ("published_at" DESC NULLS FIRST,"id" DESC NULLS FIRST) WHERE "notes"."visibility" = 'public';--> statement-breakpoint
CREATE INDEX "notes_public_top_idx" ON "notes" USING btree ("score" DESC NULLS FIRST,"published_at" DESC NULLS FIRST,"id" DESC NULLS FIRST) WHERE "notes"."visibility" = 'public';