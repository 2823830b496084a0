import { z } from "@hono/zod-openapi";

// The input rules every contract shares, so a field cannot forget them. test/input-fuzz.test.ts feeds
// hostile values into every string and number the OpenAPI document declares and holds them to these.

/**
 * Text the API accepts anywhere: well-formed Unicode, and no U+0000. A lone surrogate cannot be
 * encoded as UTF-8 (the driver would store U+FFFD in its place, or Postgres refuses the JSON that
 * carries it), and Postgres cannot store U+0000 in text or jsonb.
 */
export function textProblem(value: string): string | undefined {
  if (!value.isWellFormed()) return "must be well-formed Unicode (no unpaired surrogate)";
  if (value.includes("\0")) return "must not contain U+0000";
  return undefined;
}

/** A string under the text rule; chain zod's string methods (trim, min, max …) after it. */
export const text = () =>
  z.string().check((ctx) => {
    const problem = textProblem(ctx.value);
    if (problem) ctx.issues.push({ code: "custom", message: problem, input: ctx.value });
  });

// Decimal digits without a sign or a leading zero. Past 15 digits a number may not survive Number()
// exactly, and every bound we set is far below that, so longer ones are simply too large.
const DIGITS = /^(0|[1-9][0-9]*)$/;
const MAX_DIGITS = 15;

/**
 * A whole number in a query string, in plain decimal digits only: no sign, spaces, hex, exponent or
 * fraction, which Number() would all accept ("0x10", "1e1", " 5 "). Add `.optional()` or `.default(n)`.
 */
export const queryInteger = (bounds: { min: number; max: number }) =>
  z
    .string()
    .regex(DIGITS, "must be a whole number in decimal digits, without sign or leading zeros")
    .max(MAX_DIGITS, `must be at most ${bounds.max}`)
    .transform(Number)
    .pipe(z.number().int().min(bounds.min).max(bounds.max))
    .openapi({ type: "integer", minimum: bounds.min, maximum: bounds.max });

/**
 * Text the server trims (and, with `lowerCase`, lower-cases) before checking its length. The document
 * says so, and, like the server, refuses a value of only whitespace (`pattern`). `about` leads the
 * description.
 */
export function trimmedText(limits: { min: number; max: number; lowerCase?: boolean }, about?: string) {
  const trimmed = limits.lowerCase ? text().trim().toLowerCase() : text().trim();
  const treatment = limits.lowerCase ? "Trimmed and lower-cased" : "Leading and trailing whitespace is trimmed";
  return trimmed
    .min(limits.min)
    .max(limits.max)
    .openapi({
      ...(limits.min > 0 ? { pattern: "\\S" } : {}),
      description: `${about ? `${about}. ` : ""}${treatment}; then ${limits.min} to ${limits.max} characters.`,
    });
}

/**
 * `true` or `false` in a query string. Documented as a boolean, which is how generated clients write
 * it there (form style: `pinned=true`). Add `.optional()` or `.default(…)`.
 */
export const queryBoolean = () =>
  z
    .enum(["true", "false"])
    .transform((value) => value === "true")
    .openapi({ type: "boolean" });

const DAY_MS = 24 * 60 * 60 * 1000;

/** When something stops working: an ISO 8601 time with an offset, in the future, at most `maxDays` ahead. */
export const expiryWithin = (maxDays: number) =>
  z.iso
    .datetime({ offset: true })
    .refine((value) => Date.parse(value) > Date.now(), "must be in the future")
    .refine((value) => Date.parse(value) <= Date.now() + maxDays * DAY_MS, `must be at most ${maxDays} days ahead`);

/** A UUID path parameter; a malformed one answers the 404 of a missing resource (see createRouter). */
export const uuidParam = (name: string) =>
  z.uuid().openapi({ param: { name, in: "path" }, example: "0b6f3c52-5f0e-4d5e-9c53-8f0d3f5c7a11" });

/** A keyset listing's answer: a page of `item` and the cursor to the next page (null on the last). */
export const pageSchema = <T extends z.ZodType>(item: T, name: string) =>
  z.object({ items: z.array(item), nextCursor: z.string().nullable() }).openapi(name);

/** `limit` and `cursor` of a keyset listing; listings with filters extend it. */
export const PageQuery = z.object({
  limit: queryInteger({ min: 1, max: 100 }).default(20).openapi({ default: 20, example: 20 }),
  cursor: text().max(512).optional().openapi({ description: "nextCursor from the previous page" }),
});

/**
 * A PATCH body: some of `shape`'s fields, at least one, and nothing else (the document says
 * `minProperties: 1` and `additionalProperties: false`, as the server checks).
 */
export const patchSchema = <Shape extends z.ZodRawShape>(shape: Shape, name: string) =>
  z
    .strictObject(shape)
    .refine((patch) => Object.keys(patch).length > 0, "name at least one field to change")
    .openapi(name, { minProperties: 1 });

/** The If-None-Match request header of a GET that answers 304 while the caller's copy is current. */
export const IfNoneMatchHeader = z.object({
  "if-none-match": text()
    .optional()
    .openapi({ description: "ETags you hold: 304 without a body while one of them is current" }),
});

/** The request headers every download honours (src/storage/serve-download.ts). */
export const DownloadHeaders = IfNoneMatchHeader.extend({
  range: text()
    .optional()
    .openapi({
      description:
        "One byte range, `bytes=<first>-<last>`, `bytes=<first>-` or `bytes=-<suffix length>`: 206 with those " +
        "bytes, 416 when it starts past the end. Other units and several ranges get the whole file.",
      example: "bytes=0-1023",
    }),
  "if-range": text()
    .optional()
    .openapi({ description: "The ETag the Range is meant for: when the file has another, the whole file comes" }),
});

/** The optional If-Match request header of a conditional write on a `noun` ("note", "notebook"). */
export const ifMatchHeader = (noun: string) =>
  z.object({
    "if-match": text()
      .optional()
      .openapi({ description: `Apply only if the ${noun} still has this ETag (412 if not)` }),
  });
