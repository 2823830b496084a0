CREATE TABLE "notebook_invitations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"notebook_id" uuid NOT NULL,
	"email" text NOT NULL,
	"role" text NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "notebook_invitations_role_check" CHECK ("notebook_invitations"."role" in ('viewer', 'editor'))
);
--> statement-breakpoint
CREATE TABLE "notebook_members" (
	"notebook_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"role" text NOT NULL,
	"added_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "notebook_members_notebook_id_user_id_pk" PRIMARY KEY("notebook_id","user_id"),
	CONSTRAINT "notebook_members_role_check" CHECK ("notebook_members"."role" in ('viewer', 'editor', 'owner'))
);
--> statement-breakpoint
CREATE TABLE "notebooks" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"owner_id" uuid NOT NULL,
	"name" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "notebook_invitations" ADD CONSTRAINT "notebook_invitations_notebook_id_notebooks_id_fk" FOREIGN KEY ("notebook_id") REFERENCES "public"."notebooks"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notebook_members" ADD CONSTRAINT "notebook_members_notebook_id_notebooks_id_fk" FOREIGN KEY ("notebook_id") REFERENCES "public"."notebooks"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notebook_members" ADD CONSTRAINT "notebook_members_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notebooks" ADD CONSTRAINT "notebooks_owner_id_users_id_fk" FOREIGN KEY ("owner_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "notebook_invitations_email_unique" ON "notebook_invitations" USING btree ("notebook_id","email");--> statement-breakpoint
CREATE INDEX "notebook_invitations_email_idx" ON "notebook_invitations" USING btree ("email");--> statement-breakpoint
CREATE UNIQUE INDEX "notebook_members_one_owner" ON "notebook_members" USING btree ("notebook_id") WHERE "notebook_members"."role" = 'owner';--> statement-breakpoint
CREATE INDEX "notebook_members_user_idx" ON "notebook_members" USING btree ("user_id","notebook_id");--> statement-breakpoint
CREATE INDEX "notebooks_owner_idx" ON "notebooks" USING btree ("owner_id");--> statement-breakpoint
ALTER TABLE "notes" ADD CONSTRAINT "notes_notebook_id_notebooks_id_fk" FOREIGN KEY ("notebook_id") REFERENCES "public"."notebooks"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "notes_notebook_updated_idx" ON "notes" USING btree ("notebook_id","updated_at" DESC NULLS LAST,"id" DESC NULLS LAST) WHERE "notes"."notebook_id" is not null;--> statement-breakpoint
CREATE INDEX "notes_notebook_created_idx" ON "notes" USING btree ("notebook_id","created_at" DESC NULLS LAST,"id" DESC NULLS LAST) WHERE "notes"."notebook_id" is not null;