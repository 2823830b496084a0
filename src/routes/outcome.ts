import type { Outcome } from "../db/queries/outcome";
import { etagFor } from "../lib/etag";
import { forbidden, notFound, Problem, problemType, sessionEnded } from "../lib/problem";

export interface OutcomeProblems<Reason extends string> {
  /** What the resource is called in a detail: "note". */
  noun: string;
  /** The 404's detail, by what was missing when a statement tells (a note, an attachment). */
  missing: (what: string | undefined) => string;
  /** A limit of the resource's own. */
  refused?: (reason: Reason) => Problem;
}

/** The value a statement produced, or the problem that explains why there is none: one mapping for every route. */
export function valueOrThrow<T, Reason extends string = never>(
  outcome: Outcome<T, Reason>,
  problems: OutcomeProblems<Reason>,
): T {
  switch (outcome.kind) {
    case "done":
      return outcome.value;
    case "unauthenticated":
      throw sessionEnded();
    case "missing":
      throw notFound(problems.missing(outcome.what));
    case "forbidden":
      throw forbidden("Your role does not allow this change.", "forbidden");
    case "stale":
      throw new Problem(412, {
        type: problemType("stale-version"),
        detail:
          outcome.currentVersion === null
            ? `The ${problems.noun} changed since the ETag in If-Match.`
            : `The ${problems.noun} changed since the ETag in If-Match; fetch it again and reapply your change.`,
        // Only when the statement knows it; otherwise the current ETag comes with the next GET.
        headers: outcome.currentVersion === null ? {} : { ETag: etagFor(outcome.currentVersion) },
      });
    case "refused":
      if (!problems.refused) throw new Error(`no problem for refusal ${outcome.reason}`);
      throw problems.refused(outcome.reason);
  }
}
