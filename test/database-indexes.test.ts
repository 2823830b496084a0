import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { testDatabase } from "./support/api";

describe("indexes", () => {
  // `order by x desc` means NULLS FIRST; an index on `x DESC NULLS LAST` cannot give that order, so a
  // listing on it reads and sorts every row it matches instead of stopping after a page.
  it("order descending keys as `order by ... desc` does, so listings can walk them", async () => {
    const { rows } = await testDatabase().execute<{ indexname: string; indexdef: string }>(
      sql`select indexname, indexdef from pg_indexes where schemaname = current_schema() and indexdef like '%DESC NULLS LAST%'`,
    );
    expect(rows).toEqual([]);
  });
});
