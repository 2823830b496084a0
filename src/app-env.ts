import type { Database } from "./db/client";
import type { Bindings, Config } from "./env";
import type { AccessTokenSubject } from "./lib/tokens";

/** Hono's type parameter for every router: the bindings and what middleware puts on the context. */
export interface AppEnv {
  Bindings: Bindings;
  Variables: {
    requestId: string;
    config: Config;
    db: Database;
    /** Set by requireUser(). */
    auth: AccessTokenSubject;
  };
}
