// Every way the JWS parser must refuse a request before anything touches the database
// (RFC 8555 §6.2), each with the problem type and status a client would see.
import { describe, expect, it } from "vitest";
import {
  ALLOWED_JWS_ALGORITHMS,
  assertKeyMatchesAlgorithm,
  importAccountKey,
  parseFlattenedJws,
  parseProtectedHeader,
  verifyJwsSignature,
} from "@/lib/acme/http/jws";
import { AcmeProblem } from "@/lib/acme/problem";
import { generateTestKey, signJws } from "../../support/acme-signer";

const URL_ = "https://ca.test/acme/newAccount";
const b64 = (v: unknown) => Buffer.from(typeof v === "string" ? v : JSON.stringify(v)).toString("base64url");

function problemOf(fn: () => unknown): AcmeProblem {
  try {
    fn();
  } catch (err) {
    if (err instanceof AcmeProblem) return err;
    throw err;
  }
  throw new Error("expected an AcmeProblem");
}
async function problemOfAsync(fn: () => Promise<unknown>): Promise<AcmeProblem> {
  try {
    await fn();
  } catch (err) {
    if (err instanceof AcmeProblem) return err;
    throw err;
  }
  throw new Error("expected an AcmeProblem");
}

describe("parseFlattenedJws", () => {
  const cases: [string, string, string][] = [
    ["fail/not JSON", "{nope", "Request body is not JSON"],
    ["fail/JSON array", "[]", "Invalid JWS"],
    [
      "fail/general serialization with two signatures",
      JSON.stringify({ payload: "", signatures: [{}, {}] }),
      "exactly one signature",
    ],
    [
      "fail/unprotected header",
      JSON.stringify({ protected: "e30", payload: "", signature: "AA", header: { alg: "none" } }),
      "unexpected JWS member(s): header",
    ],
    ["fail/missing payload (detached)", JSON.stringify({ protected: "e30", signature: "AA" }), "payload"],
    ["fail/missing signature", JSON.stringify({ protected: "e30", payload: "" }), "signature"],
    [
      "fail/padding in base64url",
      JSON.stringify({ protected: "e30=", payload: "", signature: "AA" }),
      "base64url",
    ],
    ["fail/compact serialization", '"eyJhbGciOiJFUzI1NiJ9..sig"', "Invalid JWS"],
  ];
  for (const [name, body, detail] of cases) {
    it(name, () => {
      const p = problemOf(() => parseFlattenedJws(body));
      expect(p.type).toBe("malformed");
      expect(p.status).toBe(400);
      expect(p.detail).toContain(detail);
    });
  }
  it("ok/three members", () => {
    expect(parseFlattenedJws(JSON.stringify({ protected: "e30", payload: "", signature: "AA" }))).toEqual({
      protected: "e30",
      payload: "",
      signature: "AA",
    });
  });
});

describe("parseProtectedHeader", async () => {
  const es256 = await generateTestKey("ES256");
  const jws = (header: unknown) => ({ protected: b64(header), payload: "", signature: "AA" });

  const algCases: [string, string][] = [
    ["fail/alg none", "none"],
    ["fail/alg HS256 (a MAC)", "HS256"],
    ["fail/alg RS512 (not allowed)", "RS512"],
    ["fail/alg PS256 (not allowed)", "PS256"],
  ];
  for (const [name, alg] of algCases) {
    it(name, () => {
      const p = problemOf(() => parseProtectedHeader(jws({ alg, url: URL_, nonce: "n", jwk: es256.jwk })));
      expect(p.type).toBe("badSignatureAlgorithm");
      expect(p.status).toBe(400);
      expect(p.toJSON().algorithms).toEqual([...ALLOWED_JWS_ALGORITHMS]);
    });
  }

  const malformedCases: [string, unknown, string][] = [
    ["fail/header not JSON", "not json", "not base64url-encoded JSON"],
    [
      "fail/both jwk and kid",
      { alg: "ES256", url: URL_, nonce: "n", jwk: es256.jwk, kid: "https://ca.test/acme/acct/x" },
      "exactly one of jwk and kid",
    ],
    ["fail/neither jwk nor kid", { alg: "ES256", url: URL_, nonce: "n" }, "exactly one of jwk and kid"],
    ["fail/no url", { alg: "ES256", nonce: "n", jwk: es256.jwk }, "url"],
    ["fail/url not a string", { alg: "ES256", url: 7, nonce: "n", jwk: es256.jwk }, "url"],
    [
      "fail/critical extension",
      { alg: "ES256", url: URL_, nonce: "n", jwk: es256.jwk, crit: ["b64"], b64: false },
      "critical",
    ],
  ];
  for (const [name, header, detail] of malformedCases) {
    it(name, () => {
      const p = problemOf(() =>
        parseProtectedHeader(
          header === "not json" ? { protected: b64("not json"), payload: "", signature: "AA" } : jws(header),
        ),
      );
      expect(p.type).toBe("malformed");
      expect(p.detail).toContain(detail);
    });
  }

  const keyCases: [string, Record<string, unknown>, string][] = [
    ["fail/private key in jwk", { ...es256.jwk, d: "AAAA" }, "public key"],
    ["fail/symmetric jwk", { kty: "oct", k: "AAAA" }, "public key"],
    ["fail/unknown kty", { kty: "XYZ", x: "AA" }, "kty"],
    ["fail/EC key with ES384", es256.jwk, "needs an EC P-384 key"],
  ];
  for (const [name, jwk, detail] of keyCases) {
    it(name, () => {
      const alg = name.includes("ES384") ? "ES384" : "ES256";
      const p = problemOf(() => parseProtectedHeader(jws({ alg, url: URL_, nonce: "n", jwk })));
      expect(p.type).toBe("badPublicKey");
      expect(p.detail).toContain(detail);
    });
  }

  it("fail/RSA key under 2048 bits", async () => {
    const small = await generateTestKey("RS256", 1024);
    const p = problemOf(() => assertKeyMatchesAlgorithm(small.jwk as never, "RS256"));
    expect(p.type).toBe("badPublicKey");
    expect(p.detail).toContain("at least 2048 bits, this one has 1024");
  });

  it("ok/jwk keeps only the key members", () => {
    const header = parseProtectedHeader(
      jws({ alg: "ES256", url: URL_, nonce: "n", jwk: { ...es256.jwk, kid: "x", use: "sig" } }),
    );
    expect(header.jwk).toEqual({ kty: "EC", crv: "P-256", x: es256.jwk.x, y: es256.jwk.y });
  });
});

describe("verifyJwsSignature", () => {
  for (const alg of ALLOWED_JWS_ALGORITHMS) {
    it(`ok/${alg}`, async () => {
      const key = await generateTestKey(alg);
      const signed = await signJws(key, { hello: "world" }, { url: URL_, nonce: "n" });
      const header = parseProtectedHeader(signed);
      const payload = await verifyJwsSignature(signed, await importAccountKey(header.jwk as never, alg), alg);
      expect(JSON.parse(Buffer.from(payload).toString())).toEqual({ hello: "world" });
    });
  }

  it("fail/signature by another key", async () => {
    const a = await generateTestKey("ES256");
    const b = await generateTestKey("ES256");
    const signed = await signJws(a, {}, { url: URL_, nonce: "n" });
    const p = await problemOfAsync(async () =>
      verifyJwsSignature(signed, await importAccountKey(b.jwk as never, "ES256"), "ES256"),
    );
    expect(p.type).toBe("malformed");
    expect(p.detail).toBe("JWS signature verification failed");
  });

  it("fail/payload changed after signing", async () => {
    const a = await generateTestKey("ES256");
    const signed = await signJws(a, { n: 1 }, { url: URL_, nonce: "n" });
    const p = await problemOfAsync(async () =>
      verifyJwsSignature(
        { ...signed, payload: b64({ n: 2 }) },
        await importAccountKey(a.jwk as never, "ES256"),
        "ES256",
      ),
    );
    expect(p.detail).toBe("JWS signature verification failed");
  });
});
