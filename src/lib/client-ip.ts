/**
 * The key a client is rate limited by: its IPv4 address, or the /64 prefix of its IPv6 address,
 * since one IPv6 subscriber usually holds a whole /64 and could otherwise rotate through it.
 */
export function clientIpKey(ip: string | undefined): string {
  if (!ip) return "unknown";
  if (!ip.includes(":")) return ip;
  return `${expandIpv6(ip).slice(0, 4).join(":")}::/64`;
}

/** The network a request comes from, as clientIpKey() keys it; Cloudflare's edge sets CF-Connecting-IP. */
export const clientNetwork = (request: { header(name: string): string | undefined }) =>
  clientIpKey(request.header("CF-Connecting-IP"));

function expandIpv6(ip: string): string[] {
  const address = ip.replace(/^\[|\]$/g, "").split("%")[0] ?? "";
  const [head = "", tail] = address.split("::");
  const left = head ? head.split(":") : [];
  const right = tail ? tail.split(":") : [];
  const missing = tail === undefined ? 0 : 8 - left.length - right.length;
  return [...left, ...Array<string>(missing).fill("0"), ...right].map((group) =>
    group.toLowerCase().replace(/^0+(?=.)/, ""),
  );
}
