CREATE TABLE "password_guesses" (
	"key" text PRIMARY KEY NOT NULL,
	"failures" integer DEFAULT 0 NOT NULL,
	"last_failure_at" timestamp with time zone,
	"locked_until" timestamp with time zone,
	"last_success_at" timestamp with time zone
);
--> statement-breakpoint
DROP TABLE "login_failures" CASCADE;--> statement-breakpoint
-- Live sessions keep working: each existing token takes its account's current version.
ALTER TABLE "refresh_tokens" ADD COLUMN "token_version" integer;--> statement-breakpoint
UPDATE "refresh_tokens" SET "token_version" = "users"."token_version" FROM "users" WHERE "users"."id" = "refresh_tokens"."user_id";--> statement-breakpoint
ALTER TABLE "refresh_tokens" ALTER COLUMN "token_version" SET NOT NULL;