import { z } from "@hono/zod-openapi";
import { text, trimmedText } from "../lib/schemas";

// What a person types to get in: shared by registering, signing in and changing a password.

export const EmailSchema = text().trim().toLowerCase().pipe(z.email("must be an email address").max(254)).openapi({
  example: "ada@example.com",
  description: "Case-insensitive; trimmed and lower-cased before it is checked and stored.",
});

/** 8 to 256 characters of any Unicode, counted as code points (an emoji is one character). */
export const PasswordSchema = text()
  .refine((value) => [...value].length >= 8, "must be at least 8 characters")
  .refine((value) => [...value].length <= 256, "must be at most 256 characters")
  .openapi({ format: "password", minLength: 8, maxLength: 256, example: "correct horse battery staple" });

export const DisplayNameSchema = trimmedText({ min: 1, max: 100 }).openapi({ example: "Ada Lovelace" });
