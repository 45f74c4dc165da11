// The spec's "Preferred Root CA subject DN" rule (lib/ca/chains.ts): which chain a certificate is
// served with and which are linked as RFC 8555 §7.4.2 alternates, and DN matching as operators
// write DNs.
import { describe, expect, it } from "vitest";
import { type CaChain, sameDistinguishedName, selectChains } from "@/lib/ca/chains";

const chain = (index: number, rootSubjectDn: string): CaChain => ({
  index,
  rootSubjectDn,
  rootName: rootSubjectDn,
  certificates: [],
});
const CHAINS = [
  chain(0, "CN=Keyward Root CA, O=Keyward"),
  chain(1, "CN=Partner Root, O=Partner"),
  chain(2, "CN=Legacy Root, O=Legacy"),
];

describe("selectChains", () => {
  it.each([["default"], ["DEFAULT"], [""], ["  "]])(
    "ok/%j: the own chain, every other one an alternate",
    (preferred) => {
      const { served, alternates, pinned } = selectChains(CHAINS, preferred);
      expect(served?.index).toBe(0);
      expect(alternates.map((c) => c.index)).toEqual([1, 2]);
      expect(pinned).toBe(false);
    },
  );

  it("ok/a root's DN: only the chain to that root, no alternates", () => {
    const { served, alternates, pinned } = selectChains(CHAINS, "O=Partner, CN=Partner Root");
    expect(served?.index).toBe(1);
    expect(alternates).toEqual([]);
    expect(pinned).toBe(true);
  });

  it("fail/a DN no chain leads to: the own chain, still without alternates", () => {
    const { served, alternates } = selectChains(CHAINS, "CN=Unknown Root");
    expect(served?.index).toBe(0);
    expect(alternates).toEqual([]);
  });

  it("ok/a CA without cross-certificates has nothing to link", () => {
    expect(selectChains(CHAINS.slice(0, 1), "default").alternates).toEqual([]);
  });
});

describe("sameDistinguishedName", () => {
  it.each([
    ["CN=Partner Root, O=Partner", "CN=Partner Root, O=Partner"],
    ["CN=Partner Root, O=Partner", "O=Partner,CN=Partner Root"],
    ["cn=partner root,o=partner", "CN=Partner Root, O=Partner"],
    ["CN=Partner  Root , O=Partner", "CN=Partner Root, O=Partner"],
  ])("ok/%j equals %j", (a, b) => expect(sameDistinguishedName(a, b)).toBe(true));

  it.each([
    ["CN=Partner Root", "CN=Partner Root, O=Partner"],
    ["CN=Partner Root, O=Other", "CN=Partner Root, O=Partner"],
    ["not a DN", "CN=Partner Root"],
    ["", "CN=Partner Root"],
  ])("fail/%j differs from %j", (a, b) => expect(sameDistinguishedName(a, b)).toBe(false));
});
