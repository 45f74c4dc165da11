// Identifier policy: what newOrder accepts, how it normalises, and which challenges it offers.
import { describe, expect, it } from "vitest";
import { AcmeProblem } from "@/lib/problem";
import { DEFAULT_ALIAS_SETTINGS } from "@/lib/ra/alias-settings";
import { challengeTypesFor, checkIdentifiers } from "@/lib/ra/identifiers";

const settings = DEFAULT_ALIAS_SETTINGS;
const wildcardSettings = { ...settings, wildcardCertificateIssuanceAllowed: true };

function problem(fn: () => unknown): AcmeProblem {
  try {
    fn();
  } catch (err) {
    if (err instanceof AcmeProblem) return err;
  }
  throw new Error("expected a problem");
}

describe("checkIdentifiers", () => {
  it("lower-cases, de-duplicates and sorts", () => {
    expect(
      checkIdentifiers(
        [
          { type: "dns", value: "B.Example.test" },
          { type: "dns", value: "b.example.test" },
          { type: "dns", value: "a.example.test" },
        ],
        settings,
      ),
    ).toEqual([
      { type: "dns", value: "a.example.test" },
      { type: "dns", value: "b.example.test" },
    ]);
  });
  it("canonicalises IPv6 addresses", () => {
    expect(checkIdentifiers([{ type: "ip", value: "2001:DB8:0:0:0:0:0:1" }], settings)).toEqual([
      { type: "ip", value: "2001:db8::1" },
    ]);
  });
  it("fail/localhost and names under it (RFC 6761 §6.3), whatever the alias allows", () => {
    for (const value of ["foo.localhost", "a.b.LOCALHOST", "*.foo.localhost"]) {
      const p = problem(() => checkIdentifiers([{ type: "dns", value }], wildcardSettings));
      expect(p.type, value).toBe("rejectedIdentifier");
      expect(p.detail, value).toMatch(/special-use name "localhost"/);
      expect(p.options.subproblems?.[0]?.identifier, value).toEqual({ type: "dns", value });
    }
  });
  it("fail/A-labels that are not valid punycode name the identifier", () => {
    const p = problem(() =>
      checkIdentifiers([{ type: "dns", value: "xn--99999999999999999999.test" }], settings),
    );
    expect(p.type).toBe("rejectedIdentifier");
    expect(p.detail).toMatch(/not valid punycode/);
  });
  it("fail/wildcards need the alias's permission", () => {
    expect(
      problem(() => checkIdentifiers([{ type: "dns", value: "*.example.test" }], settings)).detail,
    ).toMatch(/does not issue wildcard/);
    expect(checkIdentifiers([{ type: "dns", value: "*.example.test" }], wildcardSettings)).toEqual([
      { type: "dns", value: "*.example.test" },
    ]);
  });
  it("fail/a wildcard must be the whole leftmost label; *.tld is a bare TLD", () => {
    for (const value of ["a*.example.test", "*.*.example.test", "www.*.example.test", "*.test"]) {
      expect(problem(() => checkIdentifiers([{ type: "dns", value }], wildcardSettings)).type).toBe(
        "rejectedIdentifier",
      );
    }
  });
  it("fail/several bad identifiers → one problem with a subproblem each", () => {
    const p = problem(() =>
      checkIdentifiers(
        [
          { type: "dns", value: "x" },
          { type: "email", value: "a@b" },
          { type: "dns", value: "ok.test" },
        ],
        settings,
      ),
    );
    expect(p.type).toBe("rejectedIdentifier");
    expect(p.options.subproblems?.map((s) => s.type)).toEqual([
      "rejectedIdentifier",
      "unsupportedIdentifier",
    ]);
    expect(p.options.subproblems?.[1]?.identifier).toEqual({ type: "email", value: "a@b" });
  });
});

describe("challengeTypesFor", () => {
  it("dns: all types, or the one the alias configures", () => {
    expect(challengeTypesFor({ type: "dns", value: "a.test", wildcard: false }, settings)).toEqual([
      "http-01",
      "dns-01",
      "tls-alpn-01",
    ]);
    expect(
      challengeTypesFor(
        { type: "dns", value: "a.test", wildcard: false },
        { ...settings, dnsIdentifierChallengeTypes: "tls-alpn-01" },
      ),
    ).toEqual(["tls-alpn-01"]);
  });
  it("wildcard: dns-01, plus http-01 only when allowed; never tls-alpn-01", () => {
    expect(challengeTypesFor({ type: "dns", value: "a.test", wildcard: true }, settings)).toEqual([
      "http-01",
      "dns-01",
    ]);
    expect(
      challengeTypesFor(
        { type: "dns", value: "a.test", wildcard: true },
        { ...settings, wildcardWithHttp01ChallengeAllowed: false },
      ),
    ).toEqual(["dns-01"]);
    expect(
      challengeTypesFor(
        { type: "dns", value: "a.test", wildcard: true },
        { ...settings, dnsIdentifierChallengeTypes: "tls-alpn-01" },
      ),
    ).toEqual([]);
  });
  it("ip: http-01 and tls-alpn-01 (RFC 8738 §7)", () => {
    expect(
      challengeTypesFor(
        { type: "ip", value: "127.0.0.1", wildcard: false },
        { ...settings, dnsIdentifierChallengeTypes: "dns-01" },
      ),
    ).toEqual(["http-01", "tls-alpn-01"]);
  });
});
