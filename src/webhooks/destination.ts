// Where a webhook may be delivered: a guard against server-side request forgery, applied when an
// endpoint's URL is saved (so the client learns at once) and again just before each delivery (so a
// URL saved under older rules, or a rule added since, is judged as the rules are now).
//
// The guard judges the URL as the runtime will fetch it: through the WHATWG URL parser that fetch()
// itself uses. That parser already rewrites the odd spellings of an IPv4 address into dotted decimal
// (`2130706433`, `0x7f000001`, `0177.0.0.1`, `127.1`, `127.0.0.1.`, `%31%32%37.0.0.1`, full-width
// digits and ideographic full stops all become `127.0.0.1`), refuses the ambiguous ones
// (`09.0.0.1`, `256.0.0.1`, any last label that is numeric but no address), and writes an IPv6
// address in its compressed hexadecimal form, embedded IPv4 included (`[::ffff:127.0.0.1]` becomes
// `[::ffff:7f00:1]`). So a host here is either four decimal numbers, one bracketed hexadecimal IPv6
// address, or a name; no spelling reaches fetch() that this guard did not see in that form.
// test/webhook-destination.test.ts holds the parser to each of those rewrites.
//
// Only literal addresses and names that mean a private network can be judged here: a Worker cannot
// resolve DNS, so a public name whose records point at 10.0.0.1 or 127.0.0.1 (`127.0.0.1.nip.io`,
// or a record changed after the URL was saved) passes. Those are stopped at send time by the
// platform: a Worker's fetch() leaves from Cloudflare's edge, never from a private network, and
// with the `global_fetch_strictly_public` compatibility flag (wrangler.toml, with the deliveries) it
// goes out as a request from the public Internet, even to a host on our own zone, so a name
// resolving to a private address reaches nothing private. The guard judges one URL, so a delivery
// must not follow redirects (`redirect: "manual"`; the spec counts a 3xx as a failure anyway): a
// public receiver could otherwise answer 302 to http://169.254.169.254/.
//
// Ports: any port from 1 to 65535 is allowed. What the guard protects is the private network, and
// the host check decides that; a port on a public host reaches only what that host already offers
// to the whole Internet. Receivers on 8443 or 8080 are ordinary, fetch() honours their ports
// (`allow_custom_ports`, on by our compatibility date, where older Workers silently used 443), and in
// production every delivery is https, so a TLS handshake comes first and a body cannot be
// smuggled to a mail or database port as its protocol. Port 0 is refused: nothing can listen on it.

export type DestinationRules = {
  /** Allow http:// as well as https://: local development and tests only, never production. */
  allowHttp: boolean;
  /** Allow this machine (localhost, 127.0.0.0/8, [::1]): a receiver beside `npm run dev` or the tests. */
  allowLoopback?: boolean;
};

/**
 * Why a webhook must not be delivered to `url`, in words a client can act on; undefined when it may.
 * Judged before the endpoint is saved and again before every delivery.
 */
export function refusedDestination(url: string, { allowHttp, allowLoopback }: DestinationRules): string | undefined {
  const parsed = URL.parse(url);
  if (!parsed) return "is not an absolute URL";
  if (parsed.protocol !== "https:" && !(allowHttp && parsed.protocol === "http:")) {
    return allowHttp ? "must be an https or http URL" : "must be an https URL";
  }
  if (parsed.username !== "" || parsed.password !== "") {
    return "must not carry a user name or password: the signature proves who is sending";
  }
  if (parsed.port === "0") return "names port 0, which nothing can listen on";
  if (allowLoopback && isLoopback(parsed.hostname)) return undefined;
  return refusedHost(parsed.hostname);
}

const isLoopback = (host: string) =>
  host === "localhost" || host === "[::1]" || (DOTTED_QUAD.test(host) && host.startsWith("127."));

/** Why a host as the URL parser wrote it is no public destination; undefined when it may be one. */
function refusedHost(host: string): string | undefined {
  if (host.startsWith("[")) return refusedIPv6(host.slice(1, -1));
  if (DOTTED_QUAD.test(host)) return refusedIPv4(host);
  return refusedName(host);
}

const DOTTED_QUAD = /^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$/;

// ---- Names ----

// Names that cloud platforms give their metadata services (which hand out credentials), for a
// clearer reason; the rules below refuse them anyway.
const METADATA_NAMES = new Set(["metadata", "metadata.google.internal", "instance-data", "instance-data.ec2.internal"]);

// Names reserved for this machine or for private networks: no public DNS answers for them. The other
// special-use names (.test, .example, .invalid) are left alone: public DNS answers none of them
// either, so they reach nothing, and a test may route one to a local receiver.
const LOCAL_NAMES: [suffix: string, meaning: string][] = [
  ["localhost", "this machine"],
  ["localdomain", "this machine"],
  ["local", "a local network (multicast DNS)"],
  ["internal", "a private network"],
  ["home.arpa", "a home network"],
];

function refusedName(host: string): string | undefined {
  // `localhost.` is `localhost`: a DNS name may end in the root's dot, and the parser keeps it.
  const name = host.replace(/\.+$/, "");
  if (METADATA_NAMES.has(name)) return `${host} is a cloud metadata service, not a public host`;
  for (const [suffix, meaning] of LOCAL_NAMES) {
    if (name === suffix || name.endsWith(`.${suffix}`)) return `${host} names ${meaning}, not a public host`;
  }
  // A single label (`intranet`, `printer`) is completed by a private network's search domains.
  if (!name.includes(".")) return `${host} has no dot: such names resolve only inside a private network`;
  return undefined;
}

// ---- Addresses ----

type Range = { cidr: string; meaning: string; shift: bigint; network: bigint };

/** A range written as CIDR, and what a client is told an address in it is. */
function range(cidr: string, meaning: string): Range {
  const [address = "", length = ""] = cidr.split("/");
  const bits = address.includes(":") ? 128 : 32;
  const value = bits === 128 ? ipv6Value(address) : ipv4Value(address);
  if (value === undefined || !/^\d{1,3}$/.test(length) || Number(length) > bits) {
    throw new Error(`not a CIDR range: ${cidr}`);
  }
  const shift = BigInt(bits - Number(length));
  return { cidr, meaning, shift, network: value >> shift };
}

const within = (value: bigint, range: Range) => value >> range.shift === range.network;

const notPublic = (host: string, range: Range) => `${host} is ${range.meaning} (${range.cidr}), not a public address`;

// IANA's IPv4 special-purpose registry: the blocks that are not reachable across the Internet.
const IPV4_REFUSED = [
  range("0.0.0.0/8", 'an unspecified ("this network") address'),
  range("10.0.0.0/8", "a private address"),
  range("100.64.0.0/10", "a carrier-grade NAT address"),
  range("127.0.0.0/8", "a loopback address"),
  range("169.254.0.0/16", "a link-local address, where cloud metadata services answer"),
  range("172.16.0.0/12", "a private address"),
  range("192.0.0.0/24", "reserved for IETF protocols"),
  range("192.0.2.0/24", "a documentation address"),
  range("192.168.0.0/16", "a private address"),
  range("198.18.0.0/15", "a benchmarking address"),
  range("198.51.100.0/24", "a documentation address"),
  range("203.0.113.0/24", "a documentation address"),
  range("224.0.0.0/4", "a multicast address"),
  range("240.0.0.0/4", "a reserved or broadcast address"),
];

/** The value of an address in dotted decimal, the only IPv4 spelling the URL parser writes. */
function ipv4Value(text: string): bigint | undefined {
  const octets = text.split(".").map(Number);
  if (octets.length !== 4 || octets.some((octet) => !Number.isInteger(octet) || octet < 0 || octet > 255)) {
    return undefined;
  }
  return octets.reduce((value, octet) => (value << 8n) | BigInt(octet), 0n);
}

function refusedIPv4(host: string, shownAs = host): string | undefined {
  const value = ipv4Value(host);
  if (value === undefined) return `${shownAs} is not an IPv4 address`;
  const refused = IPV4_REFUSED.find((block) => within(value, block));
  return refused && notPublic(shownAs, refused);
}

// Only global unicast (2000::/3) reaches the Internet, less the special blocks inside it. Everything
// outside it is refused; the blocks listed give a client a precise reason. First match wins.
const IPV6_REFUSED = [
  range("::/128", "the unspecified address"),
  range("::1/128", "a loopback address"),
  range("::/96", "an IPv4-compatible address (deprecated)"),
  range("64:ff9b::/96", "a NAT64 address, which a gateway we cannot judge translates to IPv4"),
  range("64:ff9b:1::/48", "a local NAT64 address"),
  range("100::/64", "a discard address"),
  range("fc00::/7", "a unique local (private) address"),
  range("fe80::/10", "a link-local address"),
  range("fec0::/10", "a site-local address (deprecated)"),
  range("ff00::/8", "a multicast address"),
  range("2001::/32", "a Teredo tunnel address"),
  range("2001::/23", "reserved for IETF protocols"),
  range("2001:db8::/32", "a documentation address"),
  range("2002::/16", "a 6to4 tunnel address"),
  range("3fff::/20", "a documentation address"),
];
const IPV4_MAPPED = range("::ffff:0:0/96", "an IPv4-mapped address");
const GLOBAL_UNICAST = range("2000::/3", "global unicast");

/** The value of an IPv6 address in hexadecimal groups with at most one `::`, as the URL parser writes it. */
function ipv6Value(text: string): bigint | undefined {
  const halves = text.split("::");
  if (halves.length > 2) return undefined;
  const [head = [], tail = []] = halves.map((half) => (half === "" ? [] : half.split(":")));
  const elided = 8 - head.length - tail.length;
  if (halves.length === 2 ? elided < 1 : elided !== 0) return undefined;
  const groups = [...head, ...Array<string>(elided).fill("0"), ...tail];
  if (!groups.every((group) => /^[0-9a-f]{1,4}$/i.test(group))) return undefined;
  return groups.reduce((value, group) => (value << 16n) | BigInt(Number.parseInt(group, 16)), 0n);
}

function refusedIPv6(address: string): string | undefined {
  const host = `[${address}]`;
  const value = ipv6Value(address);
  if (value === undefined) return `${host} is not an IPv6 address`;
  // An IPv4-mapped address is that IPv4 address on a dual-stack socket, and is judged as that address.
  if (within(value, IPV4_MAPPED)) {
    const dotted = [24n, 16n, 8n, 0n].map((shift) => (value >> shift) & 0xffn).join(".");
    return refusedIPv4(dotted, `${host} (IPv4 ${dotted})`);
  }
  const refused = IPV6_REFUSED.find((block) => within(value, block));
  if (refused) return notPublic(host, refused);
  if (!within(value, GLOBAL_UNICAST)) return `${host} is outside global unicast (2000::/3), not a public address`;
  return undefined;
}
