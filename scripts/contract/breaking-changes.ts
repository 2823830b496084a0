import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { z } from "zod";
import { REDOCLY_CONFIG } from "./files.ts";

const require = createRequire(import.meta.url);
const redoclyCli = join(dirname(require.resolve("@redocly/cli/package.json")), "bin", "cli.js");

// The part of `redocly diff --format=json` read here; parsed, so a changed report format fails loudly.
const diffReport = z.object({
  changes: z.array(
    z.object({
      path: z.string(),
      kind: z.string(),
      impact: z.string(),
      verdicts: z.array(z.object({ ruleId: z.string(), impact: z.string(), message: z.string() })),
    }),
  ),
});

async function redocly(...args: string[]): Promise<void> {
  try {
    await promisify(execFile)(process.execPath, [redoclyCli, ...args]);
  } catch (error) {
    const stderr = error instanceof Error && "stderr" in error ? String(error.stderr) : String(error);
    throw new Error(`redocly ${args[0]} failed:\n${stderr}`);
  }
}

// Words and examples change nothing a client's code relies on, and Redocly pairs old and new parameters
// partly by likeness: a rewritten description made it report a parameter as removed. Keys of `properties`
// are property names, kept whatever they are.
const ANNOTATIONS = new Set(["description", "summary", "example", "examples", "externalDocs"]);

function withoutAnnotations(value: unknown, namesAreData = false): unknown {
  if (Array.isArray(value)) return value.map((item) => withoutAnnotations(item));
  if (typeof value !== "object" || value === null) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => namesAreData || !ANNOTATIONS.has(key))
      .map(([key, item]) => [key, withoutAnnotations(item, key === "properties" || key === "patternProperties")]),
  );
}

const HTTP_METHODS = new Set(["get", "put", "post", "delete", "options", "head", "patch", "trace", "query"]);

/** `#/paths/~1v1~1notes/post/requestBody/…` as `POST /v1/notes requestBody/…`. */
function where(pointer: string): string {
  const segments = pointer
    .replace(/^#\//, "")
    .split("/")
    .map((segment) => segment.replaceAll("~1", "/").replaceAll("~0", "~"));
  const [root, path, method, ...rest] = segments;
  if (root !== "paths" || path === undefined) return segments.join("/");
  if (method === undefined || !HTTP_METHODS.has(method)) return `${path} ${[method, ...rest].join("/")}`.trim();
  return `${method.toUpperCase()} ${path} ${rest.join("/")}`.trim();
}

/**
 * Every change from `base` to `revision` (OpenAPI documents as JSON text) that breaks a client written
 * against `base`, one readable line each, e.g. "POST /v1/notes responses/201: Response `201` was removed.
 * [response-removed]". Redocly's `diff` rates the changes by the rules in test/contract/redocly.yaml
 * (diff-recommended: the changes that need a major version), telling requests from responses: a request
 * enum that loses a value breaks, a response enum that gains one breaks, and not the other way round.
 * Redocly calls its diff experimental, so test/node/contract-breaking-changes.test.ts pins every kind it
 * must catch. Known flaw: when an operation gains a parameter in the same change as another of its
 * parameters changes schema, Redocly may call that a rename (a parameter removed) instead of naming the
 * schema change; the change is reported as breaking either way.
 */
export async function breakingChanges(base: string, revision: string): Promise<string[]> {
  const dir = await mkdtemp(join(tmpdir(), "cloud-notes-contract-"));
  try {
    const basePath = join(dir, "base.json");
    const revisionPath = join(dir, "revision.json");
    const reportPath = join(dir, "report.json");
    const comparable = (document: string) => JSON.stringify(withoutAnnotations(JSON.parse(document)), null, 1);
    await Promise.all([writeFile(basePath, comparable(base)), writeFile(revisionPath, comparable(revision))]);
    // Redocly refuses to rate a document that is not valid OpenAPI (an unresolved $ref, say): its report of
    // what is wrong is the answer then.
    await redocly(
      "diff",
      basePath,
      revisionPath,
      `--config=${REDOCLY_CONFIG}`,
      "--lint-config=off",
      "--format=json",
      "--fail-on=none",
      `--output=${reportPath}`,
    );
    const report = diffReport.parse(JSON.parse(await readFile(reportPath, "utf8")));
    return report.changes.flatMap((change) => {
      const breaking = change.verdicts.filter((verdict) => verdict.impact === "major");
      if (breaking.length === 0 && change.impact === "major") return [`${where(change.path)}: ${change.kind}`];
      return breaking.map((verdict) => `${where(change.path)}: ${verdict.message} [${verdict.ruleId}]`);
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
