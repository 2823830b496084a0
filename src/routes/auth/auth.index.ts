import { createRouter } from "../../lib/router";
import { limitBody, SMALL_BODY_BYTES } from "../../middleware/body-limit";
import { database } from "../../middleware/database";
import { rateLimitByClientIp } from "../../middleware/rate-limit";
import * as handlers from "./auth.handlers";
import * as routes from "./auth.routes";
import { perClientIp } from "./login-throttle";
import { invalidForm } from "./oauth-error";

const router = createRouter();
// The token endpoint limits only its password grant, in the handler: refreshing guesses nothing.
router.use(routes.register.path, rateLimitByClientIp(perClientIp("register")));
router.use("/v1/auth/*", limitBody(SMALL_BODY_BYTES), database());

export const authRouter = router
  .openapi(routes.register, handlers.register)
  .openapi(routes.token, handlers.token, (result, c) => {
    if (!result.success) return invalidForm(c, result.error);
  })
  .openapi(routes.revoke, handlers.revoke, (result, c) => {
    if (!result.success) return invalidForm(c, result.error);
  });
