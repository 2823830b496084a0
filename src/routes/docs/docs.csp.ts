import { createMiddleware } from "hono/factory";
import { encodeBase64 } from "hono/utils/encode";

/** A directive's name and its sources, e.g. `"script-src": ["'self'"]`. */
export type PolicyDirectives = Record<string, string[]>;

/** What a page that sets a Content-Security-Policy hands its handler. */
export interface PolicyVariables {
  Variables: {
    /**
     * Fresh per request: on the page's own <script> elements, which the policy runs by it and nothing
     * else, and given to a reader that inserts <style> elements.
     */
    nonce: string;
  };
}

/**
 * Sets a docs page's Content-Security-Policy, built from a fresh nonce per request. The pages are where
 * people type their passwords, so they run the scripts the page itself names (by the nonce) and nothing
 * else: not even another file of this origin, such as an attachment someone uploaded.
 */
export function contentSecurityPolicy(policy: (nonce: string) => PolicyDirectives) {
  return createMiddleware<PolicyVariables>(async function contentSecurityPolicy(c, next) {
    const nonce = encodeBase64(crypto.getRandomValues(new Uint8Array(16)).buffer);
    c.set("nonce", nonce);
    await next();
    const directives = Object.entries(policy(nonce)).map(([name, sources]) => [name, ...sources].join(" "));
    c.header("Content-Security-Policy", directives.join("; "));
  });
}

/** What every docs page shares: nothing unless named, no <base>, no form posts, never inside a frame. */
const lockedDown: PolicyDirectives = {
  "default-src": ["'none'"],
  "base-uri": ["'none'"],
  "form-action": ["'none'"],
  "frame-ancestors": ["'none'"],
};

/** /docs: Swagger UI reads the document, signs in and runs "Try it out" against this origin only. */
export const swaggerUIPolicy = contentSecurityPolicy((nonce) => ({
  ...lockedDown,
  "script-src": [`'nonce-${nonce}'`],
  "style-src": ["'self'"],
  // swagger-ui.css draws its icons as data: SVGs.
  "img-src": ["'self'", "data:"],
  // The document, the token endpoint (Authorize) and the API itself (Try it out).
  "connect-src": ["'self'"],
}));

/** /redoc: ReDoc reads the document; it only shows, so it calls nothing else. */
export const redocPolicy = contentSecurityPolicy((nonce) => ({
  ...lockedDown,
  "script-src": [`'nonce-${nonce}'`],
  // ReDoc inserts <style> elements: its styled-components ones carry this request's nonce; the one for its
  // scrollbars it inserts as it loads, before it has the nonce, so that one is allowed by its hash (and by
  // the hash of "", what it holds for a moment). A ReDoc upgrade that changes it fails the browser test,
  // whose report names the new hash.
  "style-src": [
    "'self'",
    `'nonce-${nonce}'`,
    "'sha256-QMIg+bpjm3JdElJ388KYke01izlUW0UoNOeKjpMxdgc='",
    "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='",
  ],
  "img-src": ["'self'", "data:"],
  "connect-src": ["'self'"],
  // ReDoc builds its search index in a worker it starts from a blob: URL.
  "worker-src": ["blob:"],
}));
