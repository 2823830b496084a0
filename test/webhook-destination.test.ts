import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { refusedDestination } from "../src/webhooks/destination";

// The SSRF guard for webhook receivers, judged as a client saving an endpoint would meet it: what is
// allowed, what is refused and the reason given. The address ranges are written out again here, from
// the rules (IANA's special-purpose registries), so the properties below test the guard against them
// rather than against itself.

const production = { allowHttp: false };
const development = { allowHttp: true };

describe("webhook destinations", () => {
  it.each([
    "https://example.com/hooks/notes",
    "https://hooks.example.com:8443/notes?token=abc#fragment",
    "https://example.com:443/",
    "https://example.com./",
    "https://xn--bcher-kva.example/",
    "https://bücher.example/",
    // Special-use, so no public DNS answers for it; left open so tests can route it to a receiver.
    "https://receiver.test/",
    "https://8.8.8.8/",
    "https://1.1.1.1:8443/",
    "https://[2606:4700:4700::1111]/",
    "https://[::ffff:8.8.8.8]/",
    // The first and last addresses around private ranges.
    "https://9.255.255.255/",
    "https://11.0.0.0/",
    "https://100.63.255.255/",
    "https://100.128.0.0/",
    "https://126.255.255.255/",
    "https://128.0.0.0/",
    "https://169.253.255.255/",
    "https://169.255.0.0/",
    "https://172.15.255.255/",
    "https://172.32.0.0/",
    "https://192.167.255.255/",
    "https://192.169.0.0/",
    "https://223.255.255.255/",
    "https://[2000::1]/",
    // Just past 3fff::/20, the documentation block.
    "https://[3fff:1000::1]/",
  ])("allows %s", (url) => {
    expect(refusedDestination(url, production)).toBeUndefined();
  });

  it("allows http only when told to (local development and tests)", () => {
    expect(refusedDestination("http://example.com/hook", development)).toBeUndefined();
    expect(refusedDestination("http://example.com/hook", production)).toBe("must be an https URL");
  });

  it.each([
    ["not a url", "is not an absolute URL"],
    ["/hooks/notes", "is not an absolute URL"],
    ["https://exa mple.com/", "is not an absolute URL"],
    ["https://256.0.0.1/", "is not an absolute URL"],
    ["https://[fe80::1%25eth0]/", "is not an absolute URL"],
    ["http://example.com/", "must be an https URL"],
    ["ftp://example.com/", "must be an https URL"],
    ["javascript:alert(1)", "must be an https URL"],
    ["wss://example.com/", "must be an https URL"],
    ["https://user:secret@example.com/", "must not carry a user name or password: the signature proves who is sending"],
    ["https://user@example.com/", "must not carry a user name or password: the signature proves who is sending"],
    ["https://:secret@example.com/", "must not carry a user name or password: the signature proves who is sending"],
    ["https://example.com:0/", "names port 0, which nothing can listen on"],
    ["https://localhost/", "localhost names this machine, not a public host"],
    ["https://LOCALHOST.:8443/", "localhost. names this machine, not a public host"],
    ["https://api.localhost/", "api.localhost names this machine, not a public host"],
    ["https://localhost.localdomain/", "localhost.localdomain names this machine, not a public host"],
    ["https://printer.local/", "printer.local names a local network (multicast DNS), not a public host"],
    ["https://db.internal/", "db.internal names a private network, not a public host"],
    ["https://nas.home.arpa/", "nas.home.arpa names a home network, not a public host"],
    ["https://metadata.google.internal/", "metadata.google.internal is a cloud metadata service, not a public host"],
    ["https://metadata/", "metadata is a cloud metadata service, not a public host"],
    ["https://instance-data/", "instance-data is a cloud metadata service, not a public host"],
    ["https://intranet/", "intranet has no dot: such names resolve only inside a private network"],
    ["https://127.0.0.1/", "127.0.0.1 is a loopback address (127.0.0.0/8), not a public address"],
    ["https://2130706433/", "127.0.0.1 is a loopback address (127.0.0.0/8), not a public address"],
    ["https://0.0.0.0/", '0.0.0.0 is an unspecified ("this network") address (0.0.0.0/8), not a public address'],
    ["https://10.1.2.3/", "10.1.2.3 is a private address (10.0.0.0/8), not a public address"],
    ["https://172.16.0.1/", "172.16.0.1 is a private address (172.16.0.0/12), not a public address"],
    ["https://172.31.255.255/", "172.31.255.255 is a private address (172.16.0.0/12), not a public address"],
    ["https://192.168.1.1/", "192.168.1.1 is a private address (192.168.0.0/16), not a public address"],
    ["https://100.64.0.1/", "100.64.0.1 is a carrier-grade NAT address (100.64.0.0/10), not a public address"],
    // Alibaba Cloud's metadata service.
    [
      "https://100.100.100.200/",
      "100.100.100.200 is a carrier-grade NAT address (100.64.0.0/10), not a public address",
    ],
    [
      "https://169.254.169.254/latest/meta-data/",
      "169.254.169.254 is a link-local address, where cloud metadata services answer (169.254.0.0/16), not a public address",
    ],
    ["https://192.0.2.1/", "192.0.2.1 is a documentation address (192.0.2.0/24), not a public address"],
    ["https://224.0.0.1/", "224.0.0.1 is a multicast address (224.0.0.0/4), not a public address"],
    [
      "https://255.255.255.255/",
      "255.255.255.255 is a reserved or broadcast address (240.0.0.0/4), not a public address",
    ],
    ["https://[::1]/", "[::1] is a loopback address (::1/128), not a public address"],
    ["https://[::]/", "[::] is the unspecified address (::/128), not a public address"],
    ["https://[fc00::1]/", "[fc00::1] is a unique local (private) address (fc00::/7), not a public address"],
    // AWS's metadata service over IPv6.
    [
      "https://[fd00:ec2::254]/",
      "[fd00:ec2::254] is a unique local (private) address (fc00::/7), not a public address",
    ],
    ["https://[fe80::1]/", "[fe80::1] is a link-local address (fe80::/10), not a public address"],
    ["https://[ff02::1]/", "[ff02::1] is a multicast address (ff00::/8), not a public address"],
    [
      "https://[::ffff:169.254.169.254]/",
      "[::ffff:a9fe:a9fe] (IPv4 169.254.169.254) is a link-local address, where cloud metadata services answer (169.254.0.0/16), not a public address",
    ],
    [
      "https://[::ffff:10.0.0.1]/",
      "[::ffff:a00:1] (IPv4 10.0.0.1) is a private address (10.0.0.0/8), not a public address",
    ],
    [
      "https://[64:ff9b::8.8.8.8]/",
      "[64:ff9b::808:808] is a NAT64 address, which a gateway we cannot judge translates to IPv4 (64:ff9b::/96), not a public address",
    ],
    ["https://[::127.0.0.1]/", "[::7f00:1] is an IPv4-compatible address (deprecated) (::/96), not a public address"],
    ["https://[2001:db8::1]/", "[2001:db8::1] is a documentation address (2001:db8::/32), not a public address"],
    ["https://[2002:a00:1::1]/", "[2002:a00:1::1] is a 6to4 tunnel address (2002::/16), not a public address"],
    ["https://[100::1]/", "[100::1] is a discard address (100::/64), not a public address"],
    ["https://[4000::1]/", "[4000::1] is outside global unicast (2000::/3), not a public address"],
  ])("refuses %s: %s", (url, reason) => {
    expect(refusedDestination(url, production)).toBe(reason);
  });

  it("refuses private hosts over http too, and other schemes, when http is allowed", () => {
    expect(refusedDestination("http://localhost:8787/hook", development)).toBe(
      "localhost names this machine, not a public host",
    );
    expect(refusedDestination("http://127.0.0.1:8787/hook", development)).toBe(
      "127.0.0.1 is a loopback address (127.0.0.0/8), not a public address",
    );
    expect(refusedDestination("ftp://example.com/", development)).toBe("must be an https or http URL");
  });
});

// What the guard relies on: fetch() reads a URL with the same WHATWG parser, which writes every IPv4
// spelling as dotted decimal and every IPv6 address in compressed hexadecimal before anyone sees it.
describe("the runtime's URL parser, as the guard relies on it", () => {
  it.each([
    ["https://2130706433/", "127.0.0.1"],
    ["https://0x7f000001/", "127.0.0.1"],
    ["https://017700000001/", "127.0.0.1"],
    ["https://0177.0.0.1/", "127.0.0.1"],
    ["https://0x7f.0x0.0x0.0x1/", "127.0.0.1"],
    ["https://127.1/", "127.0.0.1"],
    ["https://127.0.1/", "127.0.0.1"],
    ["https://0x7f.1/", "127.0.0.1"],
    ["https://127.0.0.1./", "127.0.0.1"],
    ["https://%31%32%37.0.0.1/", "127.0.0.1"],
    ["https://\uff11\uff12\uff17.\uff10.\uff10.\uff11/", "127.0.0.1"],
    ["https://127\u30020\u30020\u30021/", "127.0.0.1"],
    ["https://0/", "0.0.0.0"],
    ["https://0x/", "0.0.0.0"],
    ["https://1.0x2.3/", "1.2.0.3"],
    // A name keeps its trailing dot, where an address loses it.
    ["https://localhost./", "localhost."],
    ["https://\uff2c\uff2f\uff23\uff21\uff2c\uff28\uff2f\uff33\uff34/", "localhost"],
    ["https://loc\u00adalhost/", "localhost"],
    ["https://1e1/", "1e1"],
    ["https://[0:0:0:0:0:0:0:1]/", "[::1]"],
    ["https://[::0.0.0.1]/", "[::1]"],
    ["https://[::ffff:127.0.0.1]/", "[::ffff:7f00:1]"],
    ["https://[::127.0.0.1]/", "[::7f00:1]"],
    ["https://[64:ff9b::10.0.0.1]/", "[64:ff9b::a00:1]"],
    ["https://[FD00:EC2:0::254]/", "[fd00:ec2::254]"],
  ])("reads %s as host %s", (url, host) => {
    expect(new URL(url).hostname).toBe(host);
  });

  it.each([
    "https://256.0.0.1/",
    "https://4294967296/",
    "https://0x100000000/",
    "https://09.0.0.1/",
    "https://08/",
    "https://1.2.3.4.5/",
    "https://example.127/",
    "https://[fe80::1%25eth0]/",
  ])("cannot read %s, so nothing fetches it", (url) => {
    expect(URL.canParse(url)).toBe(false);
  });
});

// ---- Properties ----

type Block = { cidr: string; network: bigint; prefix: number };

function block(cidr: string, bits: 32 | 128): Block {
  const [address = "", prefix = ""] = cidr.split("/");
  return { cidr, prefix: Number(prefix), network: bits === 32 ? v4Value(address) : v6Value(address) };
}

const v4Value = (dotted: string) => dotted.split(".").reduce((value, octet) => (value << 8n) | BigInt(octet), 0n);

// Only the full eight-group form: the tables below are written that way, no parser needed.
const v6Value = (full: string) =>
  full.split(":").reduce((value, group) => (value << 16n) | BigInt(Number.parseInt(group, 16)), 0n);

const contains = (outer: Block, value: bigint, bits: number) =>
  value >> BigInt(bits - outer.prefix) === outer.network >> BigInt(bits - outer.prefix);

/** Addresses just before and just after each block, where an off-by-one prefix would show. */
const aroundEdges = (blocks: Block[], bits: number) =>
  fc.tuple(fc.constantFrom(...blocks), fc.boolean(), fc.bigInt({ min: 0n, max: 255n })).map(([edge, after, k]) => {
    const size = 1n << BigInt(bits - edge.prefix);
    const first = (edge.network >> BigInt(bits - edge.prefix)) << BigInt(bits - edge.prefix);
    const value = after ? first + size + k : first - 1n - k;
    return ((value % (1n << BigInt(bits))) + (1n << BigInt(bits))) % (1n << BigInt(bits));
  });

/** An arbitrary address in a block. */
const inside = (outer: Block, bits: number) =>
  fc
    .bigInt({ min: 0n, max: (1n << BigInt(bits - outer.prefix)) - 1n })
    .map((host) => ((outer.network >> BigInt(bits - outer.prefix)) << BigInt(bits - outer.prefix)) | host);

const PRIVATE_V4 = [
  "0.0.0.0/8",
  "10.0.0.0/8",
  "100.64.0.0/10",
  "127.0.0.0/8",
  "169.254.0.0/16",
  "172.16.0.0/12",
  "192.0.0.0/24",
  "192.0.2.0/24",
  "192.168.0.0/16",
  "198.18.0.0/15",
  "198.51.100.0/24",
  "203.0.113.0/24",
  "224.0.0.0/4",
  "240.0.0.0/4",
].map((cidr) => block(cidr, 32));

const octets = (value: bigint) => [24n, 16n, 8n, 0n].map((shift) => Number((value >> shift) & 0xffn));

/** The ways a client may write one IPv4 address in a URL, each of which the parser reads as it. */
const spellings = (value: bigint) => {
  const [a = 0, b = 0, c = 0, d = 0] = octets(value);
  return [
    `${a}.${b}.${c}.${d}`,
    `${a}.${b}.${c}.${d}.`,
    value.toString(),
    `0x${value.toString(16)}`,
    `0${value.toString(8)}`,
    [a, b, c, d].map((octet) => `0${octet.toString(8)}`).join("."),
    [a, b, c, d].map((octet) => `0x${octet.toString(16)}`).join("."),
    `${a}.${b}.${(c << 8) | d}`,
    `${a}.${(b << 16) | (c << 8) | d}`,
    `[::ffff:${a}.${b}.${c}.${d}]`,
  ];
};

const PRIVATE_V6 = [
  ["0:0:0:0:0:0:0:0/128", "::/128"],
  ["0:0:0:0:0:0:0:1/128", "::1/128"],
  ["0:0:0:0:0:0:0:0/96", "::/96"],
  ["64:ff9b:0:0:0:0:0:0/96", "64:ff9b::/96"],
  ["64:ff9b:1:0:0:0:0:0/48", "64:ff9b:1::/48"],
  ["100:0:0:0:0:0:0:0/64", "100::/64"],
  ["fc00:0:0:0:0:0:0:0/7", "fc00::/7"],
  ["fe80:0:0:0:0:0:0:0/10", "fe80::/10"],
  ["fec0:0:0:0:0:0:0:0/10", "fec0::/10"],
  ["ff00:0:0:0:0:0:0:0/8", "ff00::/8"],
  ["2001:0:0:0:0:0:0:0/32", "2001::/32"],
  ["2001:0:0:0:0:0:0:0/23", "2001::/23"],
  ["2001:db8:0:0:0:0:0:0/32", "2001:db8::/32"],
  ["2002:0:0:0:0:0:0:0/16", "2002::/16"],
  ["3fff:0:0:0:0:0:0:0/20", "3fff::/20"],
].map(([full = "", cidr = ""]) => ({ ...block(full, 128), cidr }));
const MAPPED = block("0:0:0:0:0:ffff:0:0/96", 128);
const GLOBAL_UNICAST = block("2000:0:0:0:0:0:0:0/3", 128);

/** An IPv6 address in full, and with its last 32 bits as dotted decimal. */
const v6Spellings = (value: bigint) => {
  const groups = [112n, 96n, 80n, 64n, 48n, 32n, 16n, 0n].map((shift) => ((value >> shift) & 0xffffn).toString(16));
  const [c = 0, d = 0, e = 0, f = 0] = octets(value & 0xffff_ffffn);
  return [`[${groups.join(":")}]`, `[${groups.slice(0, 6).join(":")}:${c}.${d}.${e}.${f}]`];
};

const judged = (host: string) => refusedDestination(`https://${host}/hook`, production);

describe("webhook destinations, for any address", () => {
  it("refuses every address in a private, loopback, link-local, shared, multicast or reserved IPv4 range, however it is written", () => {
    const candidates = fc.oneof(...PRIVATE_V4.map((range) => inside(range, 32).map((value) => ({ range, value }))));
    fc.assert(
      fc.property(candidates, ({ range, value }) => {
        for (const spelling of spellings(value)) expect(judged(spelling)).toContain(`(${range.cidr})`);
      }),
      { numRuns: 500 },
    );
  });

  it("allows every other IPv4 address, however it is written", () => {
    const publicAddress = fc
      .oneof(fc.bigInt({ min: 0n, max: 0xffff_ffffn }), aroundEdges(PRIVATE_V4, 32))
      .filter((value) => !PRIVATE_V4.some((range) => contains(range, value, 32)));
    fc.assert(
      fc.property(publicAddress, (value) => {
        for (const spelling of spellings(value)) expect(judged(spelling)).toBeUndefined();
      }),
      { numRuns: 500 },
    );
  });

  it("judges any spelling fast-check knows of an IPv4 address as the address the parser reads", () => {
    fc.assert(
      fc.property(fc.ipV4Extended(), (spelling) => {
        const dotted = new URL(`https://${spelling}/`).hostname;
        expect(judged(spelling)).toBe(judged(dotted));
      }),
      { numRuns: 500 },
    );
  });

  it("refuses every address in the IPv6 ranges that are not global unicast or that are special within it", () => {
    const candidates = fc.oneof(...PRIVATE_V6.map((range) => inside(range, 128).map((value) => ({ range, value }))));
    fc.assert(
      fc.property(candidates, ({ range, value }) => {
        // The most specific range listed wins (2001:db8::/32 before 2001::/23 and the like), and an
        // address in ::/96 may be written as one of ::1 or ::.
        const expected = PRIVATE_V6.filter((other) => contains(other, value, 128)).map((other) => `(${other.cidr})`);
        expect(expected).toContain(`(${range.cidr})`);
        for (const spelling of v6Spellings(value)) {
          const reason = judged(spelling);
          expect(expected.some((cidr) => reason?.includes(cidr))).toBe(true);
        }
      }),
      { numRuns: 500 },
    );
  });

  it("refuses every IPv6 address outside global unicast (2000::/3), IPv4-mapped ones aside", () => {
    const outside = fc
      .bigInt({ min: 0n, max: (1n << 128n) - 1n })
      .filter((value) => !contains(GLOBAL_UNICAST, value, 128) && !contains(MAPPED, value, 128));
    fc.assert(
      fc.property(outside, (value) => {
        for (const spelling of v6Spellings(value)) expect(judged(spelling)).toMatch(/, not a public address$/);
      }),
      { numRuns: 500 },
    );
  });

  it("allows every global unicast IPv6 address outside the special blocks", () => {
    const global = fc
      .oneof(inside(GLOBAL_UNICAST, 128), aroundEdges(PRIVATE_V6, 128))
      .filter((value) => contains(GLOBAL_UNICAST, value, 128) && !PRIVATE_V6.some((r) => contains(r, value, 128)));
    fc.assert(
      fc.property(global, (value) => {
        for (const spelling of v6Spellings(value)) expect(judged(spelling)).toBeUndefined();
      }),
      { numRuns: 500 },
    );
  });

  it("judges an IPv4-mapped IPv6 address as the IPv4 address inside it", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 0xffff_ffffn }), (value) => {
        const dotted = octets(value).join(".");
        const range = PRIVATE_V4.find((candidate) => contains(candidate, value, 32));
        for (const spelling of v6Spellings(MAPPED.network | value)) {
          if (range) expect(judged(spelling)).toContain(`(IPv4 ${dotted}) is `);
          else expect(judged(spelling)).toBeUndefined();
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe("webhook destinations, for any name", () => {
  const LOCAL_SUFFIXES = ["localhost", "localdomain", "local", "internal", "home.arpa"];
  const anyCase = (name: string) =>
    fc
      .array(fc.boolean(), { minLength: name.length, maxLength: name.length })
      .map((upper) => [...name].map((char, i) => (upper[i] ? char.toUpperCase() : char)).join(""));

  it("refuses every name under localhost, .local, .internal and the like, in any case, with or without the root's dot", () => {
    const names = fc
      .tuple(fc.domain(), fc.constantFrom(...LOCAL_SUFFIXES), fc.constantFrom("", "."))
      .chain(([domain, suffix, dot]) => anyCase(`${domain}.${suffix}${dot}`));
    fc.assert(
      fc.property(names, (name) => {
        expect(judged(name)).toMatch(/ names .*, not a public host$/);
      }),
      { numRuns: 300 },
    );
  });

  it("allows every other name with a dot", () => {
    const names = fc
      .domain()
      .filter((name) => !LOCAL_SUFFIXES.some((suffix) => name === suffix || name.endsWith(`.${suffix}`)));
    fc.assert(
      fc.property(names, (name) => {
        expect(judged(name)).toBeUndefined();
      }),
      { numRuns: 300 },
    );
  });

  it("answers any input with a reason or nothing, never an exception", () => {
    fc.assert(
      fc.property(fc.oneof(fc.webUrl({ withQueryParameters: true, withFragments: true }), fc.string()), (url) => {
        const verdict = refusedDestination(url, production);
        expect(verdict === undefined || typeof verdict === "string").toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});
