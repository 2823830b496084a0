import { SwaggerUI, type SwaggerUIOptions } from "@hono/swagger-ui";
import type { Handler } from "hono";
import type { PolicyVariables } from "./docs.csp";

/** The OpenAPI document both readers show. */
export const OPENAPI_DOCUMENT_PATH = "/openapi.json";
/** Where wrangler.toml's [assets] serves scripts/docs-assets.ts's copies of the readers and our initialisers. */
export const DOCS_ASSETS_PATH = "/docs/assets";

/**
 * A docs page. The icon line keeps the browser from asking for /favicon.ico, which the API answers with
 * a 404. Scripts go last in the body, once the markup they fill is there.
 */
function docsPage(page: { stylesheets: string[]; body: string }): string {
  const links = page.stylesheets.map((url) => `<link rel="stylesheet" href="${url}" />`);
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>Cloud Notes API</title>
    <link rel="icon" href="data:," />
    ${links.join("\n    ")}
  </head>
  <body>
    ${page.body}
  </body>
</html>`;
}

/**
 * Settings for a page's initialiser, as a JSON data block: the browser never runs it as a script, so it
 * needs no nonce and the policy allows no inline script. `<` is escaped so no value can close the element.
 */
function settingsBlock(id: string, settings: object): string {
  const json = JSON.stringify(settings).replaceAll("<", "\\u003c");
  return `<script type="application/json" id="${id}">${json}</script>`;
}

/** A script of the page's own, run by the policy because it carries this request's nonce. */
const script = (nonce: string) => (url: string) => `<script nonce="${nonce}" src="${url}"></script>`;

// "Authorize" signs in through the password grant and keeps the token across reloads, as before.
const swaggerUISettings = { url: OPENAPI_DOCUMENT_PATH, persistAuthorization: true } satisfies SwaggerUIOptions;

// SwaggerUI() works out the asset URLs (from our copy of swagger-ui-dist, not a CDN's) and hands them to
// manuallySwaggerUIHtml, which lays out the whole page.
const swaggerUIHtml = (nonce: string) =>
  SwaggerUI({
    ...swaggerUISettings,
    baseUrl: DOCS_ASSETS_PATH,
    manuallySwaggerUIHtml: (asset) =>
      docsPage({
        stylesheets: [...asset.css, `${DOCS_ASSETS_PATH}/swagger-ui-dist/index.css`],
        body: `<div id="swagger-ui"></div>
    ${settingsBlock("swagger-ui-settings", swaggerUISettings)}
    ${[...asset.js, `${DOCS_ASSETS_PATH}/swagger-ui-init.js`].map(script(nonce)).join("\n    ")}`,
      }),
  });

/** /docs: Swagger UI, to try the API. */
export const swaggerUIPage: Handler<PolicyVariables> = (c) => c.html(swaggerUIHtml(c.var.nonce));

/** /redoc: ReDoc, to read the API. */
export const redocPage: Handler<PolicyVariables> = (c) => {
  const settings = {
    specUrl: OPENAPI_DOCUMENT_PATH,
    // ReDoc puts this on the <style> elements it inserts, which the page's policy then lets in.
    options: { nonce: c.var.nonce },
  };
  return c.html(
    docsPage({
      stylesheets: [`${DOCS_ASSETS_PATH}/redoc.css`],
      body: `<div id="redoc"></div>
    ${settingsBlock("redoc-settings", settings)}
    ${script(c.var.nonce)(`${DOCS_ASSETS_PATH}/redoc/redoc.standalone.js`)}
    ${script(c.var.nonce)(`${DOCS_ASSETS_PATH}/redoc-init.js`)}`,
    }),
  );
};
