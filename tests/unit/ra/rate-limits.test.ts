// The rules of the rate limits that need no database: which key a request counts under (its
// address, its IPv6 /48, the registered domains of its names), the problem a client gets, and
// that every limit is an alias setting with a default a busy private client stays under.
import { describe, expect, it } from "vitest";
import { ACME_ERROR_PREFIX } from "@/lib/problem";
import { aliasSettingsSchema, DEFAULT_ALIAS_SETTINGS } from "@/lib/ra/alias-settings";
import {
  ACCOUNT_RATE_LIMIT_NAMES,
  clientAddressOf,
  RATE_LIMIT_NAMES,
  RATE_LIMITS,
  rateLimitedProblem,
  rateLimitValue,
  rateLimitWindowText,
  registeredDomainOf,
  registeredDomainsOf,
} from "@/lib/ra/rate-limits";

describe("clientAddressOf: what the new-account limits count a request by", () => {
  it.each([
    ["ok/IPv4 as it is", "192.0.2.7", { address: "192.0.2.7", ipv6Range: null }],
    [
      "ok/an IPv4-mapped IPv6 address is its IPv4 client",
      "::ffff:192.0.2.7",
      { address: "192.0.2.7", ipv6Range: null },
    ],
    ["ok/IPv4-mapped in hex", "::ffff:c000:207", { address: "192.0.2.7", ipv6Range: null }],
    [
      "ok/IPv6 in canonical form with its /48",
      "2001:DB8:0001:0002:0000:0000:0000:0001",
      { address: "2001:db8:1:2::1", ipv6Range: "2001:db8:1::/48" },
    ],
    ["ok/loopback ::1", "::1", { address: "::1", ipv6Range: "::/48" }],
  ])("%s", (_, ip, expected) => {
    expect(clientAddressOf(ip)).toEqual(expected);
  });

  it("ok/addresses of one /48 share a range; the next /48 does not", () => {
    const a = clientAddressOf("2001:db8:abcd:1::1");
    const b = clientAddressOf("2001:db8:abcd:ffff:ffff:ffff:ffff:ffff");
    const c = clientAddressOf("2001:db8:abce::1");
    expect(a?.ipv6Range).toBe("2001:db8:abcd::/48");
    expect(b?.ipv6Range).toBe(a?.ipv6Range);
    expect(b?.address).not.toBe(a?.address);
    expect(c?.ipv6Range).toBe("2001:db8:abce::/48");
  });

  it.each([
    ["fail/unknown address (not through server.ts)", undefined],
    ["fail/empty", ""],
    ["fail/not an address", "localhost"],
    ["fail/a zone index", "fe80::1%eth0"],
    ["fail/IPv4 with a port", "192.0.2.1:443"],
  ])("%s: not counted", (_, ip) => {
    expect(clientAddressOf(ip)).toBeNull();
  });
});

describe("registeredDomainOf: what the certificates limit counts per (Public Suffix List)", () => {
  it.each([
    ["www.example.com", "example.com"],
    ["a.b.c.example.co.uk", "example.co.uk"],
    ["*.shop.example.com", "example.com"],
    ["example.com", "example.com"],
    // The PSL's private section counts, as at Let's Encrypt: each github.io site is its own.
    ["www.alice.github.io", "alice.github.io"],
    // No rule: the last label is the suffix (the PSL's "*" rule), as for the test suite's names.
    ["o1-run.bench.test", "bench.test"],
    // A public suffix itself, and a single label, count as themselves.
    ["co.uk", "co.uk"],
    ["localhost", "localhost"],
  ])("ok/dns %s → %s", (value, expected) => {
    expect(registeredDomainOf({ type: "dns", value })).toBe(expected);
  });

  it("ok/IPv4 counts as the address, IPv6 as its /64 (Boulder)", () => {
    expect(registeredDomainOf({ type: "ip", value: "192.0.2.9" })).toBe("192.0.2.9");
    expect(registeredDomainOf({ type: "ip", value: "2001:db8:1:2:3:4:5:6" })).toBe("2001:db8:1:2::/64");
  });

  it("ok/each registered domain once, sorted", () => {
    expect(
      registeredDomainsOf([
        { type: "dns", value: "www.example.com" },
        { type: "dns", value: "example.com" },
        { type: "dns", value: "*.example.com" },
        { type: "dns", value: "api.example.org" },
      ]),
    ).toEqual(["example.com", "example.org"]);
  });
});

describe("rateLimitedProblem (RFC 8555 §6.6)", () => {
  const now = new Date("2026-12-02T10:00:00.000Z");

  it("ok/429 rateLimited, Retry-After until the reset, the limit, value, window, key and reset named", () => {
    const problem = rateLimitedProblem({
      name: "newAccountsPerIpAddress",
      value: 10,
      key: "192.0.2.7",
      resetsAt: new Date("2026-12-02T10:20:00.400Z"),
      now,
    });
    expect(problem.status).toBe(429);
    expect(problem.toJSON()).toMatchObject({ type: `${ACME_ERROR_PREFIX}rateLimited`, status: 429 });
    expect(problem.options.retryAfterSeconds).toBe(1201);
    expect(problem.detail).toBe(
      "Rate limit newAccountsPerIpAddress (10 new accounts per 3 hours) reached: too many new accounts from 192.0.2.7; retry after 2026-12-02T10:20:00.400Z",
    );
  });

  it("ok/an account's override is said, and a limit without a window reads 'at once'", () => {
    const problem = rateLimitedProblem({
      name: "pendingAuthorizationsPerAccount",
      value: 3,
      key: null,
      resetsAt: new Date(now.getTime() + 3_600_000),
      now,
      overridden: true,
    });
    expect(problem.detail).toMatch(
      /^Rate limit pendingAuthorizationsPerAccount \(3 pending authorizations at once, set for this account\) reached/,
    );
  });

  it("ok/a reset already passed still asks for a second, never 0 or less", () => {
    const problem = rateLimitedProblem({
      name: "failedValidationsPerAccountAndName",
      value: 5,
      key: "www.example.com",
      resetsAt: new Date(now.getTime() - 5000),
      now,
    });
    expect(problem.options.retryAfterSeconds).toBe(1);
    expect(problem.detail).toContain('failed validations of "www.example.com"');
  });
});

describe("the limits as alias settings", () => {
  it("ok/every limit is a number setting of the alias schema, default non-zero", () => {
    const fields = Object.keys(aliasSettingsSchema.shape);
    for (const name of RATE_LIMIT_NAMES) {
      expect(fields, name).toContain(RATE_LIMITS[name].setting);
      expect(rateLimitValue(DEFAULT_ALIAS_SETTINGS, name), name).toBeGreaterThan(0);
    }
  });

  it("ok/the defaults stay above what the test suite and `npm run bench` do from one address", () => {
    // The bench makes one account and one certificate per order (up to ~4,500 in its 300 s
    // run, all under bench.test); the integration suite a few hundred accounts.
    expect(DEFAULT_ALIAS_SETTINGS.rateLimitNewAccountsPerIpAddress).toBeGreaterThanOrEqual(10_000);
    expect(DEFAULT_ALIAS_SETTINGS.rateLimitCertificatesPerRegisteredDomain).toBeGreaterThanOrEqual(10_000);
    expect(DEFAULT_ALIAS_SETTINGS.rateLimitNewOrdersPerAccount).toBeGreaterThanOrEqual(1_000);
  });

  it("ok/only limits counted per account can be overridden per account", () => {
    expect([...ACCOUNT_RATE_LIMIT_NAMES].sort()).toEqual(
      RATE_LIMIT_NAMES.filter((n) =>
        ["account", "accountAndName", "registeredDomain"].includes(RATE_LIMITS[n].per),
      ).sort(),
    );
  });

  it("ok/window texts", () => {
    expect(rateLimitWindowText("newOrdersPerAccount")).toBe("3 hours");
    expect(rateLimitWindowText("failedValidationsPerAccountAndName")).toBe("hour");
    expect(rateLimitWindowText("certificatesPerRegisteredDomain")).toBe("7 days");
    expect(rateLimitWindowText("pendingAuthorizationsPerAccount")).toBe("at once");
  });
});
