import { createRouter } from "../../lib/router";
import * as handlers from "./tokens.handlers";
import * as routes from "./tokens.routes";

export const tokensRouter = createRouter()
  .openapi(routes.createApiToken, handlers.createApiToken)
  .openapi(routes.listApiTokens, handlers.listApiTokens)
  .openapi(routes.getApiToken, handlers.getApiToken)
  .openapi(routes.deleteApiToken, handlers.deleteApiToken);
