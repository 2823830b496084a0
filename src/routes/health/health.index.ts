import { createRouter } from "../../lib/router";
import { database } from "../../middleware/database";
import * as handlers from "./health.handlers";
import * as routes from "./health.routes";

const router = createRouter();
router.use(routes.readiness.path, database());

export const healthRouter = router
  .openapi(routes.liveness, handlers.checkLiveness)
  .openapi(routes.readiness, handlers.checkReadiness);
