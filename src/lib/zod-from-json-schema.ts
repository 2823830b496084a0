// Stands in for zod's JSON Schema importer, `z.fromJSONSchema` (wrangler.toml [alias]): a quarter of
// zod's size, reached only through zod's re-export of it, and nothing here turns JSON Schema into zod.
export function fromJSONSchema(): never {
  throw new Error("z.fromJSONSchema is left out of the worker's bundle (wrangler.toml [alias])");
}
