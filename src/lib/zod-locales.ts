// Stands in for zod's bundle of every locale (wrangler.toml [alias]): about a third of the worker's
// source, yet the API speaks English only, and zod imports its English messages (locales/en) itself.
// Only `z.locales` / `core.locales` come from here, and nothing reads them.
export {};
