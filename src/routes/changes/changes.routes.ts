import { CHANGE_RETENTION } from "../../db/schema";
import { problem } from "../../lib/openapi";
import { signedInRoute } from "../contracts";
import { ChangesPageSchema, ChangesQuery } from "./change.schemas";

export const listChanges = signedInRoute(
  {
    operationId: "listChanges",
    method: "get",
    path: "/v1/changes",
    tags: ["Sync"],
    summary: "What changed since a cursor, oldest first: the caller's incremental sync",
    description:
      "Notes, notebooks and attachments the caller can read, or could until the change: created, updated, trashed, " +
      "restored, purged, added (became readable) or removed (became unreadable: a move, leaving a notebook). Items " +
      "are thin; fetch what you need. Start by asking without a cursor (the current position), then list " +
      "everything; afterwards send the answer's `cursor` back. A change can be reported twice, never skipped. " +
      `Cursors are kept for ${CHANGE_RETENTION.days} days (410 \`resync-required\` after).`,
    request: { query: ChangesQuery },
    responses: {
      200: { description: "A page of changes", content: { "application/json": { schema: ChangesPageSchema } } },
      410: problem(410, {
        description: "The cursor is older than the feed keeps (resync-required): list everything again",
      }),
    },
  },
  { scope: "notes:read" },
);
