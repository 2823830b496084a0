import { createRouter } from "../../lib/router";
import { limitBody, SMALL_BODY_BYTES } from "../../middleware/body-limit";
import { database } from "../../middleware/database";
import { rateLimitByClientIp } from "../../middleware/rate-limit";
import * as handlers from "./auth.handlers";
import * as routes from "./auth.routes";
import { oauthError } from "./oauth-error";

const router = createRouter();
const perIp = (scope: string) =>
  rateLimitByClientIp({ limiter: (env) => env.AUTH_RATE_LIMITER, scope, periodSeconds: 60 });

router.use(routes.register.path, perIp("register"));
router.use(routes.token.path, perIp("token"));
router.use("/v1/auth/*", limitBody(SMALL_BODY_BYTES), database());

export const authRouter = router
  .openapi(routes.register, handlers.register)
  .openapi(routes.token, handlers.token, (result, c) => {
    if (!result.success) return oauthError(c, "invalid_request", "The request must be a form with grant_type.");
  })
  .openapi(routes.revoke, handlers.revoke, (result, c) => {
    if (!result.success) return oauthError(c, "invalid_request", "The request must be a form with token.");
  });
