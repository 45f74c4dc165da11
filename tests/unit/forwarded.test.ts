// Which requests may say who the client is (lib/forwarded.ts): only configured proxies, and from
// them only well-formed values; everyone else's X-Forwarded-* and X-SSL-Client-Cert count for
// nothing (issue 15: an audit row stored `<svg/onload=…>` as an IP).
import { describe, expect, it } from "vitest";
import {
  isHostHeader,
  isLoopbackAddress,
  normalizeAddress,
  parseProxyAddress,
  plainHttpConsoleRedirect,
  type RequestFacts,
  resolveRequestFacts,
  TrustedProxies,
} from "@/lib/forwarded";

describe("KEYWARD_TRUSTED_PROXIES entries", () => {
  it.each([
    ["10.0.0.5", { address: "10.0.0.5", prefix: 32, family: "ipv4" }],
    ["10.0.0.0/8", { address: "10.0.0.0", prefix: 8, family: "ipv4" }],
    ["fd00::/8", { address: "fd00::", prefix: 8, family: "ipv6" }],
    [" ::1 ", { address: "::1", prefix: 128, family: "ipv6" }],
  ])("ok/%s", (entry, parsed) => {
    expect(parseProxyAddress(entry)).toEqual(parsed);
  });

  it.each(["proxy.example", "10.0.0.0/33", "fd00::/129", "10.0.0.0/8/8", "10.0.0.0/x", "", "10.0.0.256"])(
    "fail/%s",
    (entry) => {
      expect(parseProxyAddress(entry)).toBeNull();
    },
  );

  it("matches addresses and ranges, IPv4-mapped IPv6 as IPv4, and nothing that is not an address", () => {
    const trusted = new TrustedProxies(["10.1.0.0/16", "192.0.2.7", "2001:db8::/32"]);
    expect(trusted.has("10.1.200.3")).toBe(true);
    expect(trusted.has("::ffff:10.1.200.3")).toBe(true);
    expect(trusted.has("192.0.2.7")).toBe(true);
    expect(trusted.has("2001:db8::42")).toBe(true);
    expect(trusted.has("10.2.0.1")).toBe(false);
    expect(trusted.has("192.0.2.8")).toBe(false);
    expect(trusted.has("<svg/onload=alert(1)>")).toBe(false);
    expect(trusted.has(undefined)).toBe(false);
    expect(() => new TrustedProxies(["not an address"])).toThrow();
    expect(normalizeAddress("::ffff:127.0.0.1")).toBe("127.0.0.1");
  });
});

describe("resolving a request", () => {
  const trusted = new TrustedProxies(["10.0.0.0/8"]);
  const forged = {
    host: "keyward.internal:3000",
    "x-forwarded-for": "203.0.113.9",
    "x-forwarded-proto": "https",
    "x-forwarded-host": "evil.example",
    "x-ssl-client-cert": "-----BEGIN%20CERTIFICATE-----",
  };

  it("fail/from anybody else, every forwarded header is ignored", () => {
    expect(resolveRequestFacts({ peer: "198.51.100.1", scheme: "http", headers: forged, trusted })).toEqual({
      clientIp: "198.51.100.1",
      scheme: "http",
      host: "keyward.internal:3000",
      viaTrustedProxy: false,
    });
  });

  it("ok/from a trusted proxy: the client address, the scheme and host, and the certificate header", () => {
    expect(
      resolveRequestFacts({ peer: "::ffff:10.0.0.2", scheme: "http", headers: forged, trusted }),
    ).toEqual({
      clientIp: "203.0.113.9",
      scheme: "https",
      host: "evil.example",
      viaTrustedProxy: true,
      clientCertificateHeader: "-----BEGIN%20CERTIFICATE-----",
    });
  });

  it.each([
    ["the client's own entries are passed over", "198.51.100.66, 203.0.113.9", "203.0.113.9"],
    ["trusted hops are walked past", "203.0.113.9, 10.0.0.3, 10.0.0.4", "203.0.113.9"],
    ["a non-address ends the walk at the last hop", "<svg/onload=alert(1)>", "10.0.0.2"],
    ["behind a non-address, the proxy's own entry", "<svg/onload=alert(1)>, 10.0.0.9", "10.0.0.9"],
    ["all trusted: the leftmost", "10.0.0.7, 10.0.0.8", "10.0.0.7"],
    ["none: the proxy itself", "", "10.0.0.2"],
  ])("X-Forwarded-For: %s", (_name, forwardedFor, clientIp) => {
    const headers = { host: "k", "x-forwarded-for": forwardedFor };
    expect(resolveRequestFacts({ peer: "10.0.0.2", scheme: "http", headers, trusted }).clientIp).toBe(
      clientIp,
    );
  });

  it("takes the nearest proxy's scheme and host, and only well-formed ones", () => {
    const resolve = (headers: Record<string, string | string[]>) =>
      resolveRequestFacts({
        peer: "10.0.0.2",
        scheme: "http",
        headers: { host: "own:1", ...headers },
        trusted,
      });
    expect(
      resolve({ "x-forwarded-proto": "http, https", "x-forwarded-host": "a.example, b.example" }),
    ).toMatchObject({
      scheme: "https",
      host: "b.example",
    });
    expect(resolve({ "x-forwarded-proto": "gopher", "x-forwarded-host": "bad host/x" })).toMatchObject({
      scheme: "http",
      host: "own:1",
    });
    expect(resolve({ "x-forwarded-host": ["x.example", "[2001:db8::1]:8443"] }).host).toBe(
      "[2001:db8::1]:8443",
    );
  });

  it.each([
    ["acme.example", true],
    ["acme.example:8443", true],
    ["[::1]:3000", true],
    ["a b", false],
    ["x/y", false],
    ["acme.example:", false],
    ["", false],
  ])("host header %s → %s", (value, ok) => {
    expect(isHostHeader(value)).toBe(ok);
  });
});

describe("the console over plain HTTP (issue 15 item 8)", () => {
  const facts = (o: Partial<RequestFacts>): RequestFacts => ({
    clientIp: "203.0.113.5",
    scheme: "http",
    host: "ca.example:3000",
    viaTrustedProxy: false,
    ...o,
  });
  const redirect = (o: Partial<RequestFacts>, path = "/aliases?q=1", allowAnyClient = false) =>
    plainHttpConsoleRedirect({
      facts: facts(o),
      path,
      allowAnyClient,
      ownHostname: "keyward.internal",
      httpsOrigin: (hostname) => `https://${hostname}:3443`,
    });

  it("sends a client elsewhere to the HTTPS port of the host it named, path and query kept", () => {
    expect(redirect({})).toBe("https://ca.example:3443/aliases?q=1");
    expect(redirect({ host: "[2001:db8::1]:3000" }, "/")).toBe("https://[2001:db8::1]:3443/");
    expect(redirect({ clientIp: undefined })).toBe("https://ca.example:3443/aliases?q=1");
  });

  it("a Host that names no host gets the server's own name", () => {
    expect(redirect({ host: "a b" })).toBe("https://keyward.internal:3443/aliases?q=1");
    expect(redirect({ host: "[1.2.3.4]" })).toBe("https://keyward.internal:3443/aliases?q=1");
  });

  it.each(["127.0.0.1", "127.9.9.9", "::1", "::ffff:127.0.0.1"])("serves loopback client %s", (ip) => {
    expect(redirect({ clientIp: ip })).toBeNull();
  });

  it.each(["10.0.0.1", "::ffff:10.0.0.1", "fe80::1", "128.0.0.1"])("redirects %s", (ip) => {
    expect(redirect({ clientIp: ip })).not.toBeNull();
    expect(isLoopbackAddress(ip)).toBe(false);
  });

  it("leaves HTTPS, ACME, the CA's files and an operator's opt-out alone", () => {
    expect(redirect({ scheme: "https" })).toBeNull();
    for (const path of [
      "/acme",
      "/acme/directory",
      "/acme/shop/new-order",
      "/acme?x",
      "/ca/root.pem",
      "/ca/crl/1",
    ])
      expect(redirect({}, path)).toBeNull();
    for (const path of ["/acmefoo", "/cab", "/api/console/aliases"])
      expect(redirect({}, path)).not.toBeNull();
    expect(redirect({}, "/aliases", true)).toBeNull();
  });
});
