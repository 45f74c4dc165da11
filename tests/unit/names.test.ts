// Name syntax shared by identifier policy, CSRs, certificates and validation (lib/names.ts).
import { describe, expect, it } from "vitest";
import { canonicalIpAddress, dnsNameProblem, isHostName } from "@/lib/names";

describe("dnsNameProblem", () => {
  const bad: [string, RegExp][] = [
    ["", /empty/],
    ["example.test.", /dot/],
    ["localhost", /single label/],
    ["a..b", /empty label/],
    ["-a.test", /invalid label/],
    ["a-.test", /invalid label/],
    ["a_b.test", /invalid label/],
    ["ex ample.test", /invalid label/],
    [`${"a".repeat(64)}.test`, /63/],
    [`${"a.".repeat(127)}test`, /253/],
    ["example.123", /all-numeric/],
    ["10.0.0.1", /type "ip"/],
    // RFC 3492 / RFC 5891 §5.4: A-labels must decode, to something not plain ASCII, canonically.
    ["xn--.example", /invalid label/],
    ["xn--a.example", /not valid punycode/],
    ["xn--99999999999999999999.example", /not valid punycode/],
    ["xn--zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz.example", /not valid punycode/],
    ["xn--abc-.example", /invalid label/],
    ["xn--abc-d.example", /not valid punycode/],
    // RFC 5891 §4.2.3.1: "--" in positions 3 and 4 is reserved for A-labels.
    ["ab--cd.example", /positions 3 and 4/],
  ];
  for (const [name, reason] of bad) {
    it(`fail/${name || "(empty)"}`, () => expect(dnsNameProblem(name)).toMatch(reason));
  }
  for (const name of [
    "example.test",
    "a.b.c.example.test",
    "xn--bcher-kva.example",
    "xn--55qx5d.cn",
    "1.example.test",
    "a-b.test",
    "a--b.test",
  ]) {
    it(`ok/${name}`, () => expect(dnsNameProblem(name)).toBeNull());
  }
});

describe("isHostName", () => {
  it.each([
    ["localhost", true],
    ["*.example.test", true],
    ["example.test", true],
    ["a..b", false],
    ["*.", false],
    ["exa mple", false],
  ])("%s → %s", (name, expected) => expect(isHostName(name)).toBe(expected));
});

describe("canonicalIpAddress", () => {
  it.each([
    ["192.0.2.1", "192.0.2.1"],
    ["2001:0DB8:0:0:0:0:0:1", "2001:db8::1"],
    ["2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"],
    ["::", "::"],
    ["192.0.2.01", null],
    ["fe80::1%eth0", null],
    ["a.example", null],
  ])("%s → %s", (input, expected) => expect(canonicalIpAddress(input)).toBe(expected));
});
