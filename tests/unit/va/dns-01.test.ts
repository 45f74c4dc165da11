// dns-01 (RFC 8555 §8.4) against Debian's pebble-challtestsrv (TXT records set through its
// management API), plus a scripted server for answers challtestsrv never gives (NXDOMAIN,
// SERVFAIL, the AD bit set by a validating resolver).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dns01TxtValue } from "@/lib/va/key-authorization";
import { type ValidationInput, type ValidationOutcome, validateChallenge } from "@/lib/va/validate";
import { type ChallTestSrv, startChallTestSrv } from "../../support/challtestsrv";
import { freePort } from "../../support/ports";
import { type FakeDnsServer, startFakeDnsServer } from "./support";

const TOKEN = "evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA";
const KEY_AUTHORIZATION = `${TOKEN}.NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs`;
const TXT_VALUE = dns01TxtValue(KEY_AUTHORIZATION);

let challtestsrv: ChallTestSrv;
let scripted: FakeDnsServer;
/** Names the scripted server answers, keyed by query name. */
const scriptedZone: Record<string, { rcode?: number; authenticatedData?: boolean; txt?: string[] }> = {
  "_acme-challenge.signed.test": { authenticatedData: true, txt: [TXT_VALUE] },
  "_acme-challenge.unsigned.test": { authenticatedData: false, txt: [TXT_VALUE] },
  "_acme-challenge.missing.test": { rcode: 3 },
  "_acme-challenge.broken.test": { rcode: 2 },
};

beforeAll(async () => {
  challtestsrv = await startChallTestSrv();
  scripted = await startFakeDnsServer((q) => {
    const entry = scriptedZone[q.name] ?? { rcode: 3 };
    return {
      rcode: entry.rcode ?? 0,
      authenticatedData: entry.authenticatedData,
      answers: (entry.txt ?? []).map((value) => ({ name: q.name, type: "TXT" as const, data: value })),
    };
  });
}, 30_000);
afterAll(async () => {
  await scripted?.close();
  await challtestsrv?.stop();
});

function input(name: string, overrides: Partial<ValidationInput> = {}): ValidationInput {
  return {
    type: "dns-01",
    identifier: { type: "dns", value: name },
    wildcard: false,
    token: TOKEN,
    keyAuthorization: KEY_AUTHORIZATION,
    http01Port: 80,
    tlsAlpn01Port: 443,
    dns: { resolver: "127.0.0.1", port: challtestsrv.dnsPort, requireDnssec: false },
    authorizedRedirectPorts: [],
    limits: { dnsTimeoutMs: 1_000, dnsAttempts: 1 },
    ...overrides,
  };
}
const viaScripted = (requireDnssec: boolean) => ({
  dns: { resolver: "127.0.0.1", port: scripted.port, requireDnssec },
});

function problemOf(outcome: ValidationOutcome) {
  if (outcome.valid)
    throw new Error(`expected an invalid outcome, records: ${JSON.stringify(outcome.records)}`);
  return outcome.problem;
}

describe("dns-01 against pebble-challtestsrv", () => {
  it("ok/the right TXT record; the record says what was seen", async () => {
    await challtestsrv.setTxt("_acme-challenge.ok.example.test", TXT_VALUE);
    const outcome = await validateChallenge(input("ok.example.test"));
    expect(outcome.valid).toBe(true);
    expect(outcome.records).toEqual([
      {
        challengeType: "dns-01",
        hostname: "_acme-challenge.ok.example.test",
        resolver: `127.0.0.1:${challtestsrv.dnsPort}`,
        dnsRcode: "NOERROR",
        dnssecAuthenticated: false,
        txtValues: [TXT_VALUE],
      },
    ]);
  });

  it("ok/one of several TXT records matches", async () => {
    await challtestsrv.setTxt("_acme-challenge.several.example.test", "unrelated");
    await challtestsrv.setTxt("_acme-challenge.several.example.test", TXT_VALUE);
    expect((await validateChallenge(input("several.example.test"))).valid).toBe(true);
  });

  it("ok/wildcard: the record lives at the base name (RFC 8555 §8.4)", async () => {
    await challtestsrv.setTxt("_acme-challenge.wild.example.test", TXT_VALUE);
    const outcome = await validateChallenge(input("*.wild.example.test", { wildcard: true }));
    expect(outcome.valid).toBe(true);
    expect(outcome.records[0]?.hostname).toBe("_acme-challenge.wild.example.test");
  });

  it("fail/no TXT record", async () => {
    const problem = problemOf(await validateChallenge(input("none.example.test")));
    expect(problem.type).toBe("incorrectResponse");
    expect(problem.detail).toBe("No TXT record found at _acme-challenge.none.example.test");
  });

  it("fail/wrong TXT record, quoted", async () => {
    await challtestsrv.setTxt("_acme-challenge.wrong.example.test", "abc");
    const outcome = await validateChallenge(input("wrong.example.test"));
    const problem = problemOf(outcome);
    expect(problem.type).toBe("incorrectResponse");
    expect(problem.detail).toBe('Incorrect TXT record "abc" found at _acme-challenge.wrong.example.test');
    expect(outcome.records[0]?.txtValues).toEqual(["abc"]);
  });

  it("fail/a record that was cleared", async () => {
    await challtestsrv.setTxt("_acme-challenge.cleared.example.test", TXT_VALUE);
    await challtestsrv.clearTxt("_acme-challenge.cleared.example.test");
    expect(problemOf(await validateChallenge(input("cleared.example.test"))).detail).toContain(
      "No TXT record found",
    );
  });

  it("fail/requireDnssec: challtestsrv never sets AD, so even the right value fails", async () => {
    await challtestsrv.setTxt("_acme-challenge.dnssec.example.test", TXT_VALUE);
    const outcome = await validateChallenge(
      input("dnssec.example.test", {
        dns: { resolver: "127.0.0.1", port: challtestsrv.dnsPort, requireDnssec: true },
      }),
    );
    const problem = problemOf(outcome);
    expect(problem.type).toBe("dns");
    expect(problem.detail).toContain("was not DNSSEC-authenticated (AD bit not set)");
    expect(outcome.records[0]?.dnssecAuthenticated).toBe(false);
  });

  it("fail/resolver not reachable: dns problem, no throw", async () => {
    const port = await freePort();
    const problem = problemOf(
      await validateChallenge(
        input("down.example.test", { dns: { resolver: "127.0.0.1", port, requireDnssec: false } }),
      ),
    );
    expect(problem.type).toBe("dns");
    expect(problem.detail).toContain(`cannot reach DNS resolver 127.0.0.1:${port}: connection refused`);
  });
});

describe("dns-01 against a scripted resolver", () => {
  it("ok/requireDnssec with the AD bit set", async () => {
    const outcome = await validateChallenge(input("signed.test", viaScripted(true)));
    expect(outcome.valid).toBe(true);
    expect(outcome.records[0]?.dnssecAuthenticated).toBe(true);
  });
  it("ok/the AD bit is only required when the alias asks", async () => {
    expect((await validateChallenge(input("unsigned.test", viaScripted(false)))).valid).toBe(true);
  });
  it("fail/requireDnssec without the AD bit", async () => {
    expect(problemOf(await validateChallenge(input("unsigned.test", viaScripted(true)))).type).toBe("dns");
  });
  it("fail/NXDOMAIN", async () => {
    const outcome = await validateChallenge(input("missing.test", viaScripted(false)));
    const problem = problemOf(outcome);
    expect(problem.type).toBe("dns");
    expect(problem.detail).toBe(
      `No TXT record found at _acme-challenge.missing.test: the name does not exist (NXDOMAIN from resolver 127.0.0.1:${scripted.port})`,
    );
    expect(outcome.records[0]?.dnsRcode).toBe("NXDOMAIN");
  });
  it("fail/SERVFAIL", async () => {
    const problem = problemOf(await validateChallenge(input("broken.test", viaScripted(false))));
    expect(problem.type).toBe("dns");
    expect(problem.detail).toContain("DNS problem: SERVFAIL looking up TXT for _acme-challenge.broken.test");
  });
});
