// Every way the JWS parser must refuse a request before anything touches the database
// (RFC 8555 §6.2), each with the problem type and status a client would see.
import { describe, expect, it } from "vitest";
import {
  ALLOWED_JWS_ALGORITHMS,
  importAccountKey,
  parseFlattenedJws,
  parseProtectedHeader,
  parsePublicJwk,
  verifyJwsSignature,
} from "@/lib/acme/wire/jws";
import { AcmeProblem } from "@/lib/problem";
import { generateTestKey, signJws } from "../../support/acme-signer";
import { rsaJwkWithExponent, smallFactorRsaJwk } from "../../support/weak-keys";

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
  ];
  for (const [name, jwk, detail] of keyCases) {
    it(name, () => {
      const p = problemOf(() => parseProtectedHeader(jws({ alg: "ES256", url: URL_, nonce: "n", jwk })));
      expect(p.type).toBe("badPublicKey");
      expect(p.detail).toContain(detail);
    });
  }

  // Boulder's checkAlgorithm: a JWS whose alg does not fit its key, for every pair.
  it("fail/every alg with every key it does not fit → badSignatureAlgorithm", async () => {
    const keys = await Promise.all(ALLOWED_JWS_ALGORITHMS.map((alg) => generateTestKey(alg)));
    for (const key of keys) {
      for (const alg of ALLOWED_JWS_ALGORITHMS.filter((a) => a !== key.alg)) {
        const p = problemOf(() => parseProtectedHeader(jws({ alg, url: URL_, nonce: "n", jwk: key.jwk })));
        expect(p.type, `${alg} with a ${key.alg} key`).toBe("badSignatureAlgorithm");
        expect(p.toJSON().algorithms).toEqual([...ALLOWED_JWS_ALGORITHMS]);
      }
    }
  });

  const unacceptableKeys: [
    string,
    () => Promise<Record<string, unknown>>,
    "RS256" | "ES256" | "EdDSA",
    RegExp,
  ][] = [
    ["fail/RSA exponent 1", async () => rsaJwkWithExponent(1n), "RS256", /exponent 1 is not allowed/],
    ["fail/RSA exponent 3", async () => rsaJwkWithExponent(3n), "RS256", /exponent 3 is not allowed/],
    [
      "fail/RSA key under 2048 bits",
      async () => (await generateTestKey("RS256", 1024)).jwk as Record<string, unknown>,
      "RS256",
      /2048 to 8192 bits, this one has 1024/,
    ],
    [
      "fail/RSA modulus with a small prime factor",
      async () => smallFactorRsaJwk(),
      "RS256",
      /small prime factor/,
    ],
    [
      "fail/EC point not on the curve",
      async () => {
        const y = Buffer.from(es256.jwk.y as string, "base64url");
        y[31] = (y[31] as number) ^ 1;
        return { ...es256.jwk, y: y.toString("base64url") };
      },
      "ES256",
      /not a point on P-256/,
    ],
    [
      "fail/EC coordinate shorter than the curve's",
      async () => ({ ...es256.jwk, x: Buffer.alloc(31, 1).toString("base64url") }),
      "ES256",
      /x must be exactly 32 bytes/,
    ],
    [
      "fail/Ed25519 key of 31 bytes",
      async () => ({ kty: "OKP", crv: "Ed25519", x: Buffer.alloc(31, 1).toString("base64url") }),
      "EdDSA",
      /x must be exactly 32 bytes/,
    ],
  ];
  for (const [name, make, alg, detail] of unacceptableKeys) {
    it(`${name} → badPublicKey`, async () => {
      const jwk = await make();
      const p = problemOf(() => parsePublicJwk(jwk, alg));
      expect(p.type).toBe("badPublicKey");
      expect(p.detail).toMatch(detail);
    });
  }

  it("ok/a long nonce string is left to the nonce step (badNonce, RFC 8555 §6.5), not refused here", () => {
    const nonce = "A".repeat(300);
    expect(parseProtectedHeader(jws({ alg: "ES256", url: URL_, nonce, jwk: es256.jwk })).nonce).toBe(nonce);
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
