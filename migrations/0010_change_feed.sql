CREATE TABLE "changes" (
	"seq" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "changes_seq_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"tx" bigint DEFAULT (pg_current_xact_id()::text)::bigint NOT NULL,
	"notebook_id" uuid,
	"user_id" uuid,
	"kind" text NOT NULL,
	"entity_id" uuid NOT NULL,
	"note_id" uuid,
	"action" text NOT NULL,
	"version" integer,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "changes_one_scope_check" CHECK (("changes"."notebook_id" is null) <> ("changes"."user_id" is null)),
	CONSTRAINT "changes_kind_check" CHECK ("changes"."kind" in ('note', 'notebook', 'attachment')),
	CONSTRAINT "changes_action_check" CHECK ("changes"."action" in ('created', 'updated', 'trashed', 'restored', 'purged', 'added', 'removed'))
);
--> statement-breakpoint
ALTER TABLE "notebook_members" ADD COLUMN "joined_tx" bigint DEFAULT (pg_current_xact_id()::text)::bigint NOT NULL;--> statement-breakpoint
CREATE INDEX "changes_notebook_idx" ON "changes" USING btree ("notebook_id","tx","seq");--> statement-breakpoint
CREATE INDEX "changes_user_idx" ON "changes" USING btree ("user_id","tx","seq");--> statement-breakpoint
CREATE INDEX "changes_entity_idx" ON "changes" USING btree ("entity_id","at");--> statement-breakpoint
CREATE INDEX "changes_at_idx" ON "changes" USING btree ("at");