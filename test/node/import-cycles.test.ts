import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";

// Issue 19: db/client -> env -> lib/log -> lib/router -> db/client went round through type imports only.
// Harmless at run time, but a file in a cycle cannot be read, moved or tested without all the others, and
// the layers of STYLE.md (env and the db layer below lib/router and the routes) stop being true. So the
// walk counts `import type` like any import.

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const SRC = join(ROOT, "src");

/** Every relative module a file names: imports and re-exports, `import type` and `import("…")` included. */
function specifiersOf(path: string, source: string): string[] {
  const file = ts.createSourceFile(path, source, ts.ScriptTarget.Latest, false);
  const found: string[] = [];
  const visit = (node: ts.Node) => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier) {
      if (ts.isStringLiteral(node.moduleSpecifier)) found.push(node.moduleSpecifier.text);
    } else if (ts.isImportTypeNode(node)) {
      const argument = node.argument;
      if (ts.isLiteralTypeNode(argument) && ts.isStringLiteral(argument.literal)) found.push(argument.literal.text);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const [argument] = node.arguments;
      if (argument && ts.isStringLiteralLike(argument)) found.push(argument.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found.filter((specifier) => specifier.startsWith("."));
}

/** The .ts file a relative specifier names, as the bundler resolves it; null for anything else (package.json). */
function resolve(from: string, specifier: string): string | null {
  const base = join(dirname(from), specifier);
  const candidate = [base, `${base}.ts`, join(base, "index.ts")].find(
    (path) => path.endsWith(".ts") && existsSync(path),
  );
  return candidate ?? null;
}

function sourcesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((name) => name.endsWith(".ts") && !name.endsWith(".d.ts"))
    .map((name) => join(dir, name));
}

/** Who imports whom among the files under `dir`, by path relative to the repository. */
function importGraph(dir: string): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const path of sourcesUnder(dir)) {
    const targets = specifiersOf(path, readFileSync(path, "utf8")).flatMap((specifier) => {
      const target = resolve(path, specifier);
      return target?.startsWith(`${dir}${sep}`) ? [relative(ROOT, target)] : [];
    });
    graph.set(relative(ROOT, path), [...new Set(targets)].sort());
  }
  return graph;
}

/** The groups of files that reach one another through imports (Tarjan's strongly connected components). */
function tangles(graph: Map<string, string[]>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const groups: string[][] = [];
  const connect = (file: string) => {
    index.set(file, counter);
    low.set(file, counter);
    counter += 1;
    stack.push(file);
    onStack.add(file);
    for (const next of graph.get(file) ?? []) {
      if (!index.has(next)) {
        connect(next);
        low.set(file, Math.min(low.get(file) ?? 0, low.get(next) ?? 0));
      } else if (onStack.has(next)) {
        low.set(file, Math.min(low.get(file) ?? 0, index.get(next) ?? 0));
      }
    }
    if (low.get(file) !== index.get(file)) return;
    const group: string[] = [];
    for (let member = stack.pop(); member !== undefined; member = member === file ? undefined : stack.pop()) {
      onStack.delete(member);
      group.push(member);
    }
    if (group.length > 1 || (graph.get(file) ?? []).includes(file)) groups.push(group.sort());
  };
  for (const file of [...graph.keys()].sort()) if (!index.has(file)) connect(file);
  return groups;
}

/** The shortest way from `start` back to itself through the files of `group`: [start, ..., start]. */
function shortestWayRound(graph: Map<string, string[]>, group: Set<string>, start: string): string[] {
  const cameFrom = new Map<string, string>();
  const queue = [start];
  for (let i = 0; i < queue.length; i++) {
    const file = queue[i] ?? start;
    for (const next of graph.get(file) ?? []) {
      if (next === start) {
        const way = [file];
        for (let at = cameFrom.get(file); at !== undefined; at = cameFrom.get(at)) way.unshift(at);
        return [...way, start];
      }
      if (group.has(next) && next !== start && !cameFrom.has(next)) {
        cameFrom.set(next, file);
        queue.push(next);
      }
    }
  }
  return [start];
}

/**
 * Every import cycle, named file by file ("a.ts -> b.ts -> a.ts"): for each file in a tangle, the
 * shortest cycle through it, each cycle once, written from its first file in sorted order.
 */
function cyclesOf(graph: Map<string, string[]>): string[] {
  const cycles = new Set<string>();
  for (const group of tangles(graph)) {
    const members = new Set(group);
    for (const file of group) {
      const loop = shortestWayRound(graph, members, file).slice(0, -1);
      const first = loop.indexOf([...loop].sort()[0] ?? file);
      const rotated = [...loop.slice(first), ...loop.slice(0, first)];
      cycles.add([...rotated, rotated[0]].join(" -> "));
    }
  }
  return [...cycles].sort();
}

describe("imports among src/ files", () => {
  it("go round in no cycle, type-only imports included", () => {
    const graph = importGraph(SRC);
    expect(graph.get("src/db/client.ts")).toContain("src/env.ts"); // `import type { Config }`: the walk sees types
    expect(cyclesOf(graph)).toEqual([]);
  });

  it("would name every cycle, each once, and read every kind of import", () => {
    const graph = new Map([
      ["src/db/client.ts", ["src/env.ts"]],
      ["src/env.ts", ["src/lib/log.ts"]],
      ["src/lib/log.ts", ["src/lib/deployed-version.ts", "src/lib/router.ts"]],
      ["src/lib/router.ts", ["src/db/client.ts", "src/lib/problem.ts"]],
      ["src/lib/problem.ts", ["src/lib/router.ts"]],
      ["src/lib/deployed-version.ts", []],
    ]);
    expect(cyclesOf(graph)).toEqual([
      "src/db/client.ts -> src/env.ts -> src/lib/log.ts -> src/lib/router.ts -> src/db/client.ts",
      "src/lib/problem.ts -> src/lib/router.ts -> src/lib/problem.ts",
    ]);
    const source = [
      'import type { AppEnv } from "./router";',
      'import { z } from "zod";',
      'export * from "../x";',
      'export type Db = import("./client").Database;',
      'const later = () => import("./later");',
    ].join("\n");
    expect(specifiersOf("a.ts", source)).toEqual(["./router", "../x", "./client", "./later"]);
  });
});
