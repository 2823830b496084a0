// Stands in for the MCP SDK's ajv validator (wrangler.toml [alias]): the SDK's server imports it for a
// default it never needs here, since src/mcp/endpoint.ts passes a validator of its own. ajv and its
// formats would be about 35 KiB of the gzipped bundle.
export class AjvJsonSchemaValidator {
  constructor() {
    throw new Error("ajv is left out of the worker's bundle (wrangler.toml [alias]); pass jsonSchemaValidator");
  }
}
