import { sql } from "drizzle-orm";
import { PgDialect } from "drizzle-orm/pg-core";
import { describe, expect, it } from "vitest";
import { prerendered, selectList } from "../src/db/queries/sql-fragments";
import { notes } from "../src/db/schema";

const dialect = new PgDialect();

describe("prerendered fragments", () => {
  it("render as the fragment they were made from would, inside any statement", () => {
    const fragment = sql`select n.id from ${notes} n where n.title = ${sql.identifier("title")}`;
    const statement = (part: typeof fragment) => sql`with x as (${part}) select * from x where id = ${"a"}`;
    expect(dialect.sqlToQuery(statement(prerendered(fragment)))).toEqual(dialect.sqlToQuery(statement(fragment)));
  });

  it("refuse a fragment with parameters, which their text could not carry", () => {
    expect(() => prerendered(sql`n.id = ${"a"}`)).toThrow(/no parameters/);
  });

  it("render a projection map's select list once", () => {
    const fields = { id: sql`n.id`, title: sql`n.title` };
    expect(selectList(fields)).toBe(selectList(fields));
    expect(dialect.sqlToQuery(selectList(fields)).sql).toBe('n.id as "id", n.title as "title"');
  });

  it("keep a projection's parameters as parameters", () => {
    const query = dialect.sqlToQuery(selectList({ mine: sql`n.owner_id = ${"a"}` }));
    expect(query).toMatchObject({ sql: 'n.owner_id = $1 as "mine"', params: ["a"] });
  });
});
