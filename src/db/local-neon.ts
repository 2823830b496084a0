import { neonConfig } from "@neondatabase/serverless";

/**
 * Points the Neon driver at scripts/local-db's stand-in (SQL over HTTP at /sql, WebSockets at /v2)
 * instead of Neon. Only `npm run dev` and the tests set LOCAL_NEON_ENDPOINT; production never does.
 */
export function useLocalNeonEndpoint(address: string): void {
  if (neonConfig.fetchEndpoint === `http://${address}/sql`) return;
  neonConfig.fetchEndpoint = `http://${address}/sql`;
  neonConfig.wsProxy = (host, port) => `${address}/v2?address=${host}:${port}`;
  neonConfig.useSecureWebSocket = false;
  neonConfig.pipelineTLS = false;
  neonConfig.pipelineConnect = "password";
}
