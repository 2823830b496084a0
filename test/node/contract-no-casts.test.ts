import { readFileSync } from "node:fs";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const SCENARIO = new URL("../contract/generated-client.test.ts", import.meta.url);

/**
 * Every way TypeScript code can overrule the types it was given: `x as T` (`as const` included),
 * `<T>x`, `x!`, `any`, and comments that silence the compiler. Found in the syntax tree, so the words in
 * strings and comments do not count.
 */
function escapeHatches(source: string): string[] {
  const file = ts.createSourceFile("scenario.ts", source, ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const report = (node: ts.Node, what: string) => {
    const { line } = file.getLineAndCharacterOfPosition(node.getStart(file));
    found.push(`line ${line + 1}: ${what}: ${node.getText(file)}`);
  };
  const visit = (node: ts.Node) => {
    if (ts.isAsExpression(node)) report(node, "cast");
    else if (ts.isTypeAssertionExpression(node)) report(node, "cast");
    else if (ts.isNonNullExpression(node)) report(node, "non-null assertion");
    else if (node.kind === ts.SyntaxKind.AnyKeyword) report(node, "any");
    ts.forEachChild(node, visit);
  };
  visit(file);
  for (const match of source.matchAll(/@ts-(ignore|expect-error|nocheck)/g)) {
    const { line } = file.getLineAndCharacterOfPosition(match.index);
    found.push(`line ${line + 1}: compiler silenced: ${match[0]}`);
  }
  return found;
}

describe("the generated-client scenario (test/contract/generated-client.test.ts)", () => {
  it("uses the generated types as they are: no casts, non-null assertions, any or silenced errors", () => {
    expect(escapeHatches(readFileSync(SCENARIO, "utf8"))).toEqual([]);
  });

  it("would be caught using any of them", () => {
    const source = [
      "const a = value as Note;",
      "const b = <Note>value;",
      "const c = value!.id;",
      "let d: any;",
      "// @ts-expect-error",
      'const e = "as Note, x!, any"; // as Note',
    ].join("\n");
    expect(escapeHatches(source)).toEqual([
      "line 1: cast: value as Note",
      "line 2: cast: <Note>value",
      "line 3: non-null assertion: value!",
      "line 4: any: any",
      "line 5: compiler silenced: @ts-expect-error",
    ]);
  });
});
