import { createRouter } from "../../lib/router";
import * as handlers from "./auth.handlers";
import * as routes from "./auth.routes";
import { invalidForm } from "./oauth-error";

export const authRouter = createRouter()
  .openapi(routes.register, handlers.register)
  .openapi(routes.token, handlers.token, (result, c) => {
    if (!result.success) return invalidForm(c, result.error);
  })
  .openapi(routes.revoke, handlers.revoke, (result, c) => {
    if (!result.success) return invalidForm(c, result.error);
  });
