// CAA (RFC 8659, RFC 8657): the decision as a table of record sets, the value grammar, and the
// lookup against Debian's pebble-challtestsrv (CAA records set through its management API: the
// name, its parents, wildcard, accounturi, validationmethods), plus a scripted server for what
// challtestsrv never sends (an issuer-critical flag, SERVFAIL). Last, a dns-01 validation that
// succeeds and is then refused by CAA, as the validation job runs it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isAccountUri } from "@/lib/ra/caa";
import { type CaaRecord, type CaaRequest, checkCaa, evaluateCaa, parseIssueValue } from "@/lib/va/caa";
import { dns01TxtValue } from "@/lib/va/key-authorization";
import { validateChallenge } from "@/lib/va/validate";
import { type ChallTestSrv, startChallTestSrv } from "../../support/challtestsrv";
import { type FakeDnsServer, startFakeDnsServer } from "./support";

const CA = "ca.keyward.test";
const ACCOUNT = { id: "acct-1", aliasName: "shop" };
const request = (overrides: Partial<CaaRequest> = {}): CaaRequest => ({
  wildcard: false,
  caaIdentities: [CA],
  isAccountUri: (uri) => isAccountUri(uri, ACCOUNT),
  validationMethod: "http-01",
  ...overrides,
});
const issue = (value: string, flags = 0): CaaRecord => ({ flags, tag: "issue", value });
const issuewild = (value: string, flags = 0): CaaRecord => ({ flags, tag: "issuewild", value });

describe("evaluateCaa (RFC 8659 §4, RFC 8657)", () => {
  const cases: [string, CaaRecord[], Partial<CaaRequest>, boolean][] = [
    ["ok/issue names this CA", [issue(CA)], {}, true],
    ["ok/issue names this CA in capitals, with spaces", [issue(` CA.Keyward.TEST `)], {}, true],
    ["ok/one of several issue records names this CA", [issue("other.example"), issue(CA)], {}, true],
    ["fail/issue names another CA", [issue("other.example")], {}, false],
    ["fail/issue ';' forbids everyone", [issue(";")], {}, false],
    ["fail/a malformed issue value does not authorize", [issue(`${CA}; =x`)], {}, false],
    [
      "ok/only iodef: nothing restricts issuance",
      [{ flags: 0, tag: "iodef", value: "mailto:sec@example" }],
      {},
      true,
    ],
    [
      "ok/an unknown tag without the critical flag is ignored",
      [{ flags: 0, tag: "future", value: "x" }, issue(CA)],
      {},
      true,
    ],
    [
      "fail/an unknown tag with the critical flag forbids",
      [{ flags: 128, tag: "future", value: "x" }, issue(CA)],
      {},
      false,
    ],
    ["ok/a known tag with the critical flag is fine", [issue(CA, 128)], {}, true],
    ["ok/wildcard: issue applies when there is no issuewild", [issue(CA)], { wildcard: true }, true],
    [
      "fail/wildcard: issuewild takes precedence over issue",
      [issue(CA), issuewild("other.example")],
      { wildcard: true },
      false,
    ],
    [
      "ok/wildcard: issuewild names this CA, issue does not",
      [issue("other.example"), issuewild(CA)],
      { wildcard: true },
      true,
    ],
    ["ok/non-wildcard ignores issuewild", [issue(CA), issuewild(";")], {}, true],
    [
      "fail/non-wildcard: issuewild alone does not allow issue",
      [issue("other.example"), issuewild(CA)],
      {},
      false,
    ],
    [
      "ok/accounturi of this account",
      [issue(`${CA}; accounturi=https://ca.test/acme/shop/acct/acct-1`)],
      {},
      true,
    ],
    [
      "ok/accounturi in the configurationId form",
      [issue(`${CA}; accounturi=https://ca.test/acme/acct/acct-1?configurationId=shop`)],
      {},
      true,
    ],
    [
      "fail/accounturi of another account",
      [issue(`${CA}; accounturi=https://ca.test/acme/shop/acct/acct-2`)],
      {},
      false,
    ],
    [
      "fail/accounturi of this account id on another alias",
      [issue(`${CA}; accounturi=https://ca.test/acme/other/acct/acct-1`)],
      {},
      false,
    ],
    [
      "ok/validationmethods lists the method used",
      [issue(`${CA}; validationmethods=dns-01,http-01`)],
      {},
      true,
    ],
    ["fail/validationmethods does not list it", [issue(`${CA}; validationmethods=dns-01`)], {}, false],
    ["ok/an unknown parameter is ignored", [issue(`${CA}; policy=ev`)], {}, true],
    ["fail/no CAA identities: nothing can name this CA", [issue(CA)], { caaIdentities: [] }, false],
  ];
  for (const [name, records, overrides, permitted] of cases) {
    it(name, () => expect(evaluateCaa(records, request(overrides)).permitted).toBe(permitted));
  }

  it("fail/the reason names what refused", () => {
    expect(evaluateCaa([issue(`${CA}; validationmethods=dns-01`)], request()).reason).toContain(
      "does not allow validation by http-01",
    );
    expect(evaluateCaa([{ flags: 128, tag: "tbs", value: "x" }], request()).reason).toContain('"tbs"');
  });
});

describe("parseIssueValue (RFC 8659 §4.2)", () => {
  it("ok/domain and parameters; fail/bad grammar", () => {
    expect(parseIssueValue("ca.example; accounturi=https://x/acct/1; validationmethods=dns-01")).toEqual({
      issuerDomainName: "ca.example",
      parameters: new Map([
        ["accounturi", "https://x/acct/1"],
        ["validationmethods", "dns-01"],
      ]),
    });
    expect(parseIssueValue(";")).toEqual({ issuerDomainName: null, parameters: new Map() });
    expect(parseIssueValue("")).toEqual({ issuerDomainName: null, parameters: new Map() });
    for (const bad of [
      "-ca.example",
      "ca..example",
      "ca.example; x",
      "ca.example; a b=c",
      "ca_x.example",
      "ca.example; a=b;c",
    ])
      expect(parseIssueValue(bad), bad).toBeNull();
  });
});

describe("isAccountUri (RFC 8657 §3 with Keyward's URL forms)", () => {
  const cases: [string, boolean][] = [
    ["https://ca.test/acme/shop/acct/acct-1", true],
    ["http://127.0.0.1:3000/acme/shop/acct/acct-1", true],
    ["https://ca.test/acme/acct/acct-1", true],
    ["https://ca.test/acme/acct/acct-1?configurationId=shop", true],
    ["https://ca.test/acme/acct/acct-1?configurationId=other", false],
    ["https://ca.test/acme/shop/acct/acct-2", false],
    ["https://ca.test/acme/shop/acct/acct-1/orders", false],
    ["https://ca.test/acme/shop/acct/acct-1?x=1", false],
    ["ftp://ca.test/acme/shop/acct/acct-1", false],
    ["acct-1", false],
  ];
  for (const [uri, expected] of cases) {
    it(`${expected ? "ok" : "fail"}/${uri}`, () => expect(isAccountUri(uri, ACCOUNT)).toBe(expected));
  }
});

let challtestsrv: ChallTestSrv;
let scripted: FakeDnsServer;

beforeAll(async () => {
  challtestsrv = await startChallTestSrv();
  scripted = await startFakeDnsServer((q) => {
    if (q.name === "critical.test" && q.type === "CAA")
      return {
        answers: [{ name: q.name, type: "CAA", data: { flags: 128, tag: "tbs" as "issue", value: "x" } }],
      };
    if (q.name === "broken.test") return { rcode: 2 };
    return { rcode: 0 };
  });
}, 30_000);
afterAll(async () => {
  await scripted?.close();
  await challtestsrv?.stop();
});

const lookup = (name: string, overrides: Partial<CaaRequest> = {}, port = () => challtestsrv.dnsPort) =>
  checkCaa({
    ...request(overrides),
    name,
    dns: { resolver: "127.0.0.1", port: port(), requireDnssec: false, timeoutMs: 1000, attempts: 1 },
  });

describe("checkCaa through the alias's resolver (challtestsrv)", () => {
  it("ok/no CAA record up to the TLD: issuance allowed", async () => {
    const result = await lookup("www.nocaa.test");
    expect(result.problem).toBeNull();
    expect(result.record).toMatchObject({ caaDomain: null, caaRecords: [] });
  });

  it("ok/issue names this CA; fail/another CA → caa problem naming the identifier", async () => {
    await challtestsrv.addCaa("allowed.caa1.test", [{ tag: "issue", value: CA }]);
    await challtestsrv.addCaa("denied.caa1.test", [{ tag: "issue", value: "other-ca.example" }]);
    expect((await lookup("allowed.caa1.test")).problem).toBeNull();
    const denied = await lookup("denied.caa1.test");
    expect(denied.problem?.type).toBe("caa");
    expect(denied.problem?.status).toBe(403);
    expect(denied.problem?.detail).toContain("denied.caa1.test");
    expect(denied.problem?.toJSON()).toMatchObject({
      type: "urn:ietf:params:acme:error:caa",
      identifier: { type: "dns", value: "denied.caa1.test" },
    });
    expect(denied.record).toMatchObject({
      caaDomain: "denied.caa1.test",
      caaRecords: ['0 issue "other-ca.example"'],
    });
  });

  it("ok/climbing the tree: the parent's record decides; the closest record wins", async () => {
    await challtestsrv.addCaa("caa2.test", [{ tag: "issue", value: "other-ca.example" }]);
    await challtestsrv.addCaa("open.caa2.test", [{ tag: "issue", value: CA }]);
    const deep = await lookup("a.b.c.caa2.test");
    expect(deep.problem?.type).toBe("caa");
    expect(deep.record.caaDomain).toBe("caa2.test");
    const child = await lookup("x.open.caa2.test");
    expect(child.problem).toBeNull();
    expect(child.record.caaDomain).toBe("open.caa2.test");
  });

  it("ok/wildcard: issuewild decides for *.name, issue for the name", async () => {
    await challtestsrv.addCaa("caa3.test", [
      { tag: "issue", value: CA },
      { tag: "issuewild", value: ";" },
    ]);
    expect((await lookup("caa3.test")).problem).toBeNull();
    const wild = await lookup("caa3.test", { wildcard: true });
    expect(wild.problem?.type).toBe("caa");
    expect(wild.problem?.options.identifier).toEqual({ type: "dns", value: "*.caa3.test" });
  });

  it("ok/accounturi and validationmethods (RFC 8657)", async () => {
    await challtestsrv.addCaa("caa4.test", [
      {
        tag: "issue",
        value: `${CA}; accounturi=https://keyward.test/acme/shop/acct/acct-1; validationmethods=dns-01`,
      },
    ]);
    expect((await lookup("caa4.test", { validationMethod: "dns-01" })).problem).toBeNull();
    expect((await lookup("caa4.test", { validationMethod: "http-01" })).problem?.detail).toContain("http-01");
    const otherAccount = await lookup("caa4.test", {
      validationMethod: "dns-01",
      isAccountUri: (uri) => isAccountUri(uri, { id: "acct-9", aliasName: "shop" }),
    });
    expect(otherAccount.problem?.detail).toContain("another account");
  });
});

describe("checkCaa: what challtestsrv never sends (scripted server)", () => {
  it("fail/an unknown tag with the issuer-critical flag forbids issuance", async () => {
    const result = await lookup("critical.test", {}, () => scripted.port);
    expect(result.problem?.type).toBe("caa");
    expect(result.problem?.detail).toContain("critical");
  });

  it("fail/a resolver failure (SERVFAIL) refuses, as a dns problem", async () => {
    const result = await lookup("www.broken.test", {}, () => scripted.port);
    expect(result.problem?.type).toBe("dns");
    expect(result.problem?.detail).toContain("SERVFAIL");
  });
});

describe("validateChallenge checks CAA once the challenge succeeded", () => {
  const TOKEN = "evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA";
  const KEY_AUTHORIZATION = `${TOKEN}.NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs`;
  const validate = (name: string, caa: boolean) =>
    validateChallenge({
      type: "dns-01",
      identifier: { type: "dns", value: name },
      wildcard: false,
      token: TOKEN,
      keyAuthorization: KEY_AUTHORIZATION,
      http01Port: 80,
      tlsAlpn01Port: 443,
      dns: { resolver: "127.0.0.1", port: challtestsrv.dnsPort, requireDnssec: false },
      authorizedRedirectPorts: [],
      caa: caa ? { caaIdentities: [CA], isAccountUri: () => false } : undefined,
      limits: { dnsTimeoutMs: 1000, dnsAttempts: 1 },
    });

  it("fail/a proven name whose CAA forbids this CA is invalid with the caa problem; ok/without the check", async () => {
    await challtestsrv.setTxt("_acme-challenge.caa5.test", dns01TxtValue(KEY_AUTHORIZATION));
    await challtestsrv.addCaa("caa5.test", [{ tag: "issue", value: "other-ca.example" }]);
    const refused = await validate("caa5.test", true);
    expect(refused.valid).toBe(false);
    if (!refused.valid) expect(refused.problem.type).toBe("caa");
    expect(refused.records.map((r) => r.caaDomain)).toContain("caa5.test");
    expect((await validate("caa5.test", false)).valid).toBe(true);
  });

  it("ok/a name whose CAA allows this CA stays valid, with the CAA record noted", async () => {
    await challtestsrv.setTxt("_acme-challenge.caa6.test", dns01TxtValue(KEY_AUTHORIZATION));
    await challtestsrv.addCaa("caa6.test", [{ tag: "issue", value: CA }]);
    const ok = await validate("caa6.test", true);
    expect(ok.valid).toBe(true);
    expect(ok.records.at(-1)).toMatchObject({ caaDomain: "caa6.test", caaRecords: [`0 issue "${CA}"`] });
  });
});
