import { sql } from "drizzle-orm";
import type { AccessTokenSubject } from "../../lib/tokens";
import { users } from "../schema";

/**
 * The `me` common table expression: the caller's account while the access token's version still
 * matches it. Each request's one statement starts with it, so ending sessions costs no extra query.
 */
export const withCurrentUser = (auth: AccessTokenSubject) =>
  sql`with me as (select id from ${users} where id = ${auth.userId} and token_version = ${auth.tokenVersion})`;
