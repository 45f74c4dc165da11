// Key authorization and the values derived from it (RFC 8555 §8.1, §8.4; RFC 8737 §3). RFC 8555's
// own examples are elided ("LoqXcYV8...jxAjEuX0"), so the vectors come from RFC 7638 §3.1 (the
// thumbprint), RFC 8555 §8.3 (the token) and acme4j's Dns01ChallengeTest (a published
// key authorization / TXT digest pair).
import { describe, expect, it } from "vitest";
import { jwkThumbprint } from "@/lib/crypto/jwk";
import { dns01TxtValue, keyAuthorization, tlsAlpn01Digest } from "@/lib/va/key-authorization";

const RFC7638_RSA_JWK = {
  kty: "RSA" as const,
  n: "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw",
  e: "AQAB",
};
const RFC7638_THUMBPRINT = "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs";
const RFC8555_TOKEN = "evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA";

// acme4j Dns01ChallengeTest: token.thumbprint and its dns-01 digest.
const ACME4J_KEY_AUTHORIZATION =
  "pNvmJivs0WCko2suV7fhe-59oFqyYx_yB7tx6kIMAyE.HnWjTDnyqlCrm6tZ-6wX-TrEXgRdeNu9G71gqxSO6o0";
const ACME4J_DNS01_DIGEST = "rzMmotrIgsithyBYc0vgiLUEEKYx0WetQRgEF2JIozA";

describe("keyAuthorization (RFC 8555 §8.1)", () => {
  it("ok/token '.' RFC 7638 thumbprint", async () => {
    const thumbprint = await jwkThumbprint(RFC7638_RSA_JWK);
    expect(thumbprint).toBe(RFC7638_THUMBPRINT);
    expect(keyAuthorization(RFC8555_TOKEN, thumbprint)).toBe(`${RFC8555_TOKEN}.${RFC7638_THUMBPRINT}`);
  });
  it("ok/acme4j vector", () => {
    const [token, thumbprint] = ACME4J_KEY_AUTHORIZATION.split(".") as [string, string];
    expect(keyAuthorization(token, thumbprint)).toBe(ACME4J_KEY_AUTHORIZATION);
  });
  for (const [name, token] of [
    ["fail/padding", "abc="],
    ["fail/standard base64 alphabet", "ab+/"],
    ["fail/empty", ""],
    ["fail/path characters", "../x"],
  ] as const) {
    it(name, () => expect(() => keyAuthorization(token, RFC7638_THUMBPRINT)).toThrow(TypeError));
  }
});

describe("dns01TxtValue (RFC 8555 §8.4)", () => {
  it("ok/acme4j vector: base64url(SHA-256(key authorization)), no padding", () => {
    expect(dns01TxtValue(ACME4J_KEY_AUTHORIZATION)).toBe(ACME4J_DNS01_DIGEST);
  });
  it("ok/43 characters of the base64url alphabet", () => {
    expect(dns01TxtValue(`${RFC8555_TOKEN}.${RFC7638_THUMBPRINT}`)).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });
});

describe("tlsAlpn01Digest (RFC 8737 §3)", () => {
  it("ok/the raw 32 octets whose base64url is the dns-01 value", () => {
    const digest = tlsAlpn01Digest(ACME4J_KEY_AUTHORIZATION);
    expect(digest).toHaveLength(32);
    expect(digest.toString("base64url")).toBe(ACME4J_DNS01_DIGEST);
  });
});
