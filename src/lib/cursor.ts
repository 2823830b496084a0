import { z } from "@hono/zod-openapi";
import { fromBase64Url, toBase64Url } from "./base64url";
import { validationFailed } from "./problem";

// An opaque keyset cursor: the last row's sort values. The timestamp keeps Postgres' microseconds, so
// rows created within one millisecond still order exactly; `rank` is present when sorting by relevance.
const CursorSchema = z.strictObject({
  sort: z.enum(["updated", "created"]),
  time: z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/),
  id: z.uuid(),
  rank: z.number().optional(),
});

export type Cursor = z.infer<typeof CursorSchema>;

export function encodeCursor(cursor: Cursor): string {
  return toBase64Url(new TextEncoder().encode(JSON.stringify(cursor)));
}

/** The cursor, if it is one this API made for the same kind of listing; otherwise a 422. */
export function decodeCursor(text: string, expected: { sort: Cursor["sort"]; ranked: boolean }): Cursor {
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder().decode(fromBase64Url(text)));
  } catch {
    throw invalidCursor();
  }
  const result = CursorSchema.safeParse(parsed);
  if (!result.success || result.data.sort !== expected.sort || (result.data.rank !== undefined) !== expected.ranked) {
    throw invalidCursor();
  }
  return result.data;
}

const invalidCursor = () =>
  validationFailed([
    { path: "query.cursor", message: "not a cursor from this listing: pass nextCursor back with the same sort and q" },
  ]);
