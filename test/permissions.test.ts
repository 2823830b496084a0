import { describe, expect, it } from "vitest";
import { type Action, denied, PERMISSIONS, type Permission } from "../src/db/queries/permissions";
import { fetchDocument, type Operation, operationsOf } from "./support/openapi-document";

// The permissions table (src/db/queries/permissions.ts) is the only place a rule is written. Walked
// from the OpenAPI document, so routes added later are held to it without being listed here: a route
// that states a rule the table does not hold, a route about a note or notebook that states none, and a
// table line no route uses, each fail. What the rules do is the role matrix's to prove.

type RuleAsDocumented = Permission & { action: Action; fields?: Record<string, Permission & { action: Action }> };
type WithRule = Operation & { "x-required-role"?: RuleAsDocumented };

const isAction = (name: string): name is Action => Object.hasOwn(PERMISSIONS, name);

/** The table's line for `action`, as the document spells it. */
const lineFor = (action: Action) => JSON.parse(JSON.stringify({ action, ...PERMISSIONS[action] }));

/** Paths about one note, notebook or trashed note, whose every signed-in operation must declare an action. */
const ABOUT_A_RESOURCE = /^\/v1\/(notes|notebooks|trash)\/\{id\}/;

describe("the permissions table", () => {
  it("holds every rule a route declares, word for word, field rules included", async () => {
    const document = await fetchDocument();
    const declared = operationsOf(document).flatMap(({ method, template, operation }) => {
      const rule = (operation as WithRule)["x-required-role"];
      return rule ? [{ label: `${method.toUpperCase()} ${template}`, rule }] : [];
    });
    expect(declared.length).toBeGreaterThan(20);
    for (const { label, rule } of declared) {
      expect(isAction(rule.action), `${label}: ${rule.action} is not in the table`).toBe(true);
      const { fields, ...own } = rule;
      expect(own, label).toEqual(lineFor(rule.action));
      for (const [field, fieldRule] of Object.entries(fields ?? {})) {
        expect(fieldRule, `${label} ${field}`).toEqual(lineFor(fieldRule.action));
      }
    }
  });

  it("is declared by every signed-in operation about a note, notebook or trashed note", async () => {
    const document = await fetchDocument();
    const undeclared = operationsOf(document)
      .filter(({ template, operation }) => ABOUT_A_RESOURCE.test(template) && operation.security?.length)
      .filter(({ operation }) => !(operation as WithRule)["x-required-role"])
      .map(({ method, template }) => `${method.toUpperCase()} ${template}`);
    expect(undeclared).toEqual([]);
  });

  it("has no line that no route uses", async () => {
    const document = await fetchDocument();
    const used = new Set<string>();
    for (const { operation } of operationsOf(document)) {
      const rule = (operation as WithRule)["x-required-role"];
      if (!rule) continue;
      used.add(rule.action);
      for (const field of Object.values(rule.fields ?? {})) used.add(field.action);
    }
    expect(Object.keys(PERMISSIONS).filter((action) => !used.has(action))).toEqual([]);
  });
});

describe("a denial", () => {
  const row = { authed: 1, callerRole: "viewer" as const, allowed: false };

  it("is 401 first, then the 404 of a missing resource for no role, then 403 for a role the rule refuses", () => {
    expect(denied("note.edit", { ...row, authed: 0 })).toEqual({ kind: "unauthenticated" });
    expect(denied("note.edit", undefined)).toEqual({ kind: "unauthenticated" });
    expect(denied("note.edit", { ...row, callerRole: null })).toEqual({ kind: "missing", what: "note" });
    expect(denied("notebook.edit", { ...row, callerRole: null })).toEqual({ kind: "missing", what: "notebook" });
    expect(denied("note.edit", row)).toEqual({ kind: "forbidden" });
    expect(denied("note.edit", { ...row, allowed: true })).toBeUndefined();
  });
});
