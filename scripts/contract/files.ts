import { fileURLToPath } from "node:url";

const contractDir = (name: string) => fileURLToPath(new URL(`../../test/contract/${name}`, import.meta.url));

/** The committed OpenAPI document: what clients may rely on, reviewed in every change to it. */
export const COMMITTED_DOCUMENT = contractDir("openapi.json");
/** openapi-typescript's types for that document, which test/contract/generated-client.test.ts compiles against. */
export const COMMITTED_CLIENT_TYPES = contractDir("openapi.d.ts");
/** Redocly's configuration: the lint rules of `npm run lint:openapi` and the diff rules of the breaking-change check. */
export const REDOCLY_CONFIG = contractDir("redocly.yaml");
