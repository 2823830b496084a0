// The static files behind /docs and /redoc: the pinned Swagger UI and ReDoc bundles from node_modules, and
// our initialisers from src/routes/docs/public/. wrangler.toml's [assets] serves this directory; it is
// generated, never committed. wrangler's [build] writes it before `wrangler dev`, `wrangler deploy` and
// `wrangler types`; test/vitest.config.ts before the tests read wrangler.toml (which needs it to exist).
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const require = createRequire(import.meta.url);
const packageDir = (name: string) => dirname(require.resolve(`${name}/package.json`));

/** wrangler.toml's `[assets] directory`. */
const ASSETS_DIR = join(root, "build/assets");
/** Where the files appear, below the assets directory and so in URLs. */
const DOCS_ASSETS = join(ASSETS_DIR, "docs/assets");

/** A served file: where it comes from, and for a vendor bundle what must change before we serve it. */
interface Source {
  path: string;
  edit?: (text: string) => string;
}

/**
 * ReDoc 2 draws its "API docs by Redocly" logo from a CDN, with no option to turn it off: offline, and under
 * the page's `img-src`, that is a blocked request. Pointing it at an empty data: image makes it fail at
 * once, and ReDoc then leaves the logo out. An upgrade that moves the URL stops this script, for review.
 */
function withoutCdnLogo(bundle: string): string {
  const logo = '"https://cdn.redoc.ly/redoc/logo-mini.svg"';
  if (bundle.split(logo).length !== 2)
    throw new Error(`redoc.standalone.js no longer names ${logo} once: review what it loads`);
  return bundle.replace(logo, '"data:,"');
}

/** Each served file by its path below /docs/assets/. Licences travel with the code. */
function sources(): Record<string, Source> {
  const swaggerUI = packageDir("swagger-ui-dist");
  const redoc = packageDir("redoc");
  const own = join(root, "src/routes/docs/public");
  return {
    "swagger-ui-dist/swagger-ui-bundle.js": { path: join(swaggerUI, "swagger-ui-bundle.js") },
    "swagger-ui-dist/swagger-ui.css": { path: join(swaggerUI, "swagger-ui.css") },
    "swagger-ui-dist/index.css": { path: join(swaggerUI, "index.css") },
    "swagger-ui-dist/LICENSE": { path: join(swaggerUI, "LICENSE") },
    "swagger-ui-dist/NOTICE": { path: join(swaggerUI, "NOTICE") },
    "redoc/redoc.standalone.js": { path: join(redoc, "bundles/redoc.standalone.js"), edit: withoutCdnLogo },
    "redoc/redoc.standalone.js.LICENSE.txt": { path: join(redoc, "bundles/redoc.standalone.js.LICENSE.txt") },
    "redoc/LICENSE": { path: join(redoc, "LICENSE") },
    ...Object.fromEntries(readdirSync(own).map((name) => [name, { path: join(own, name) }])),
  };
}

/**
 * Brings the directory up to date. `wrangler dev`, `npm test` and the browser test may run it at the same
 * time: a file that changed is replaced whole (written beside it, then renamed over it), an unchanged one
 * is left alone (so `wrangler dev` sees no change), and nothing is emptied first.
 */
export function buildDocsAssets(): void {
  const files = sources();
  for (const [target, { path, edit }] of Object.entries(files)) {
    const destination = join(DOCS_ASSETS, target);
    const bytes = edit ? Buffer.from(edit(readFileSync(path, "utf8"))) : readFileSync(path);
    if (existsSync(destination) && readFileSync(destination).equals(bytes)) continue;
    mkdirSync(dirname(destination), { recursive: true });
    const partial = `${destination}.${process.pid}.partial`;
    writeFileSync(partial, bytes);
    renameSync(partial, destination);
  }
  // A file no longer listed (an initialiser renamed, say) would otherwise be served on.
  for (const entry of readdirSync(DOCS_ASSETS, { recursive: true, withFileTypes: true })) {
    const path = join(entry.parentPath, entry.name);
    const target = relative(DOCS_ASSETS, path).split(sep).join("/");
    if (entry.isFile() && !(target in files) && !target.endsWith(".partial")) rmSync(path);
  }
}

if (import.meta.main) buildDocsAssets();
