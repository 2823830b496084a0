import { z } from "@hono/zod-openapi";
import { type FeedPosition, feedStart, readChanges } from "../../db/queries/changes";
import { CHANGE_RETENTION } from "../../db/schema";
import { invalidCursor, signPosition, verifiedPosition } from "../../lib/cursor";
import { resyncRequired } from "../../lib/problem";
import type { AppRouteHandler } from "../../lib/router";
import { valueOrThrow } from "../outcome";
import type * as routes from "./changes.routes";

const asFeed = { noun: "change feed", missing: () => "No such change feed." };
const DAY_MS = 24 * 60 * 60 * 1000;

/** A feed cursor's payload; signed for its reader, so one user's cursor opens nobody else's feed. */
const PositionSchema = z.strictObject({
  tx: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  seq: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  at: z.iso.datetime(),
});

export const listChanges: AppRouteHandler<typeof routes.listChanges> = async (c) => {
  const { limit, cursor } = c.req.valid("query");
  const { caller, db } = c.var;
  const listing = { list: "changes", reader: caller.userId };
  const secret = c.var.config.PASSWORD_PEPPER;
  const sign = (position: FeedPosition) => signPosition(position, listing, secret);

  if (cursor === undefined) {
    const start = valueOrThrow(await feedStart(db, caller), asFeed);
    return c.json({ items: [], cursor: await sign(start), hasMore: false }, 200);
  }
  const parsed = PositionSchema.safeParse(await verifiedPosition(cursor, listing, secret));
  if (!parsed.success) throw invalidCursor();
  const after = parsed.data;
  // Older than the feed keeps: changes after it may be gone, and a gap must never pass for none.
  if (Date.parse(after.at) < Date.now() - CHANGE_RETENTION.days * DAY_MS) throw resyncRequired(CHANGE_RETENTION.days);

  const rows = valueOrThrow(await readChanges(db, caller, after, limit), asFeed);
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  // Nothing new: the reader is current as of now, which is what keeps an idle client's cursor fresh.
  const position = last ? { tx: last.tx, seq: last.seq, at: last.at } : { ...after, at: new Date().toISOString() };
  return c.json(
    {
      items: page.map(({ tx: _, seq: __, ...change }) => change),
      cursor: await sign(position),
      hasMore: rows.length > limit,
    },
    200,
  );
};
