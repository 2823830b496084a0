import { createRouter } from "../../lib/router";
import { docsAsset } from "./docs.assets";
import { redocPolicy, swaggerUIPolicy } from "./docs.csp";
import { DOCS_ASSETS_PATH, redocPage, swaggerUIPage } from "./docs.pages";

/** The API's readers, served by the worker itself: nothing from a CDN, everything pinned in the lockfile. */
export const docsRouter = createRouter()
  .get("/docs", swaggerUIPolicy, swaggerUIPage)
  .get("/redoc", redocPolicy, redocPage)
  .get(`${DOCS_ASSETS_PATH}/*`, docsAsset);
