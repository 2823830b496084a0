import { createRouter } from "../../lib/router";
import { requireUser } from "../../middleware/auth";
import { limitBody, SMALL_BODY_BYTES } from "../../middleware/body-limit";
import { database } from "../../middleware/database";
import * as handlers from "./users.handlers";
import * as routes from "./users.routes";

const router = createRouter();
router.use("/v1/users/*", limitBody(SMALL_BODY_BYTES), requireUser(), database());

export const usersRouter = router
  .openapi(routes.getMe, handlers.getMe)
  .openapi(routes.updateMe, handlers.updateMe)
  .openapi(routes.changePassword, handlers.changePassword)
  .openapi(routes.deleteMe, handlers.deleteMe);
