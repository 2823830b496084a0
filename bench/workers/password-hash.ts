// Bench-only worker: one password hash per request, so the caller can time it against a no-op request.
import { hashPassword } from "../../src/lib/password";

const PEPPER = "bench-pepper-bench-pepper-bench-pepper";

export default {
  async fetch(request: Request): Promise<Response> {
    if (new URL(request.url).pathname === "/hash") await hashPassword("correct horse battery staple", PEPPER);
    return new Response("ok");
  },
};
