// parseCsr + verifyCsr (RFC 8555 §7.4 finalize): a table of hostile and unusual CSRs, each with
// the badCSR detail a client would see, and the accepted variants (case, IPv6 spelling, compressed
// EC points). CSRs come from `openssl req`, an independent encoder.
import { spawnSync } from "node:child_process";
import { createPublicKey } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type CertificateIdentifier,
  MAX_CSR_BYTES,
  type ParsedCsr,
  parseCsr,
  spkiSha256Of,
  spkiSha256OfJwk,
  verifyCsr,
} from "@/lib/ca/csr";
import { AcmeProblem } from "@/lib/problem";
import { fermatWeakRsaKey } from "../../support/weak-keys";

const KEYGEN_TIMEOUT_MS = 60_000;

type KeyName =
  | "p256"
  | "p256compressed"
  | "p384"
  | "p521"
  | "rsa1024"
  | "rsa2048"
  | "rsaExponent3"
  | "rsaFermat"
  | "ed25519";

let dir: string;
const keys = {} as Record<KeyName, string>;

function run(command: string, args: string[]): Buffer {
  const result = spawnSync(command, args, { encoding: "buffer" });
  if (result.status !== 0) throw new Error(`${command} ${args.join(" ")}: ${result.stderr.toString()}`);
  return result.stdout;
}

interface CsrSpec {
  key: KeyName;
  /** openssl -subj syntax; "/O=Test" for a subject without a commonName. */
  subject?: string;
  /** openssl subjectAltName syntax, e.g. "DNS:a.example,IP:192.0.2.1". */
  san?: string;
  digest?: "sha256" | "sha1" | "sha384";
}

let csrCounter = 0;
function csrFor(spec: CsrSpec): Uint8Array {
  const out = path.join(dir, `req-${csrCounter++}.der`);
  const args = [
    "req",
    "-new",
    "-key",
    keys[spec.key],
    "-subj",
    spec.subject ?? "/O=Test",
    "-outform",
    "DER",
    "-out",
    out,
  ];
  if (spec.san) args.push("-addext", `subjectAltName=${spec.san}`);
  if (spec.digest) args.push(`-${spec.digest}`);
  run("openssl", args);
  return new Uint8Array(fs.readFileSync(out));
}

function b64url(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString("base64url");
}

function jwkOf(key: KeyName) {
  return createPublicKey(fs.readFileSync(keys[key])).export({ format: "jwk" });
}

function dns(...values: string[]): CertificateIdentifier[] {
  return values.map((value) => ({ type: "dns", value }));
}

async function problemOf(action: () => unknown): Promise<AcmeProblem> {
  try {
    await action();
  } catch (error) {
    if (error instanceof AcmeProblem) return error;
    throw error;
  }
  throw new Error("expected an AcmeProblem, got success");
}

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "keyward-csr-"));
  const genpkey = (name: KeyName, ...options: string[]) => {
    keys[name] = path.join(dir, `${name}.pem`);
    run("openssl", ["genpkey", ...options, "-out", keys[name]]);
  };
  genpkey("p256", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256");
  genpkey("p384", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384");
  genpkey("p521", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-521");
  genpkey("rsa1024", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:1024");
  genpkey("rsa2048", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048");
  genpkey(
    "rsaExponent3",
    "-algorithm",
    "RSA",
    "-pkeyopt",
    "rsa_keygen_bits:2048",
    "-pkeyopt",
    "rsa_keygen_pubexp:3",
  );
  keys.rsaFermat = path.join(dir, "rsaFermat.pem");
  fs.writeFileSync(keys.rsaFermat, fermatWeakRsaKey().export({ type: "pkcs8", format: "pem" }));
  genpkey("ed25519", "-algorithm", "ED25519");
  // The same P-256 key with its point written compressed (X9.62 §4.3.6): a different SPKI encoding.
  keys.p256compressed = path.join(dir, "p256compressed.pem");
  run("openssl", ["ec", "-in", keys.p256, "-conv_form", "compressed", "-out", keys.p256compressed]);
}, KEYGEN_TIMEOUT_MS);

afterAll(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe("parseCsr", () => {
  it("ok/reads names, key and SPKI hash", () => {
    const der = csrFor({
      key: "p256",
      subject: "/CN=A.Example/O=Test",
      san: "DNS:A.example,DNS:www.a.example,IP:192.0.2.1,IP:2001:DB8:0:0:0:0:0:1",
    });
    const csr = parseCsr(b64url(der));
    expect(csr.keyAlgorithm).toBe("ECDSA-P256");
    expect(csr.commonNames).toEqual(["A.Example"]);
    expect(csr.dnsNames).toEqual(["a.example", "www.a.example"]);
    expect(csr.ipAddresses).toEqual(["192.0.2.1", "2001:db8::1"]);
    expect(Buffer.from(csr.der).equals(Buffer.from(der))).toBe(true);
    expect(csr.spkiSha256).toBe(spkiSha256Of(csr.publicKey));
    expect(csr.spkiSha256).toBe(spkiSha256OfJwk(jwkOf("p256")));
  });

  it("ok/accepts trailing base64 padding", () => {
    // ECDSA signatures vary in length, so the DER length mod 3 is random: make CSRs (at most 30)
    // until two encodings end in padding.
    const padded: string[] = [];
    for (let i = 1; i <= 30 && padded.length < 2; i++) {
      const der = csrFor({ key: "p256", subject: `/CN=${"a".repeat(i)}` });
      const text = Buffer.from(der).toString("base64").replace(/\+/g, "-").replace(/\//g, "_");
      if (text.endsWith("=")) padded.push(text);
    }
    expect(padded).toHaveLength(2);
    for (const text of padded) expect(parseCsr(text).keyAlgorithm).toBe("ECDSA-P256");
  });

  it("ok/canonicalises a compressed EC point to the account-key form", () => {
    const compressed = parseCsr(b64url(csrFor({ key: "p256compressed", subject: "/CN=a.example" })));
    const uncompressed = parseCsr(b64url(csrFor({ key: "p256", subject: "/CN=a.example" })));
    expect(compressed.publicKey.length).toBe(uncompressed.publicKey.length);
    expect(compressed.spkiSha256).toBe(uncompressed.spkiSha256);
    expect(compressed.spkiSha256).toBe(spkiSha256OfJwk(jwkOf("p256")));
  });

  it("ok/names RSA keys by size", () => {
    expect(parseCsr(b64url(csrFor({ key: "rsa2048", subject: "/CN=a.example" }))).keyAlgorithm).toBe(
      "RSA-2048",
    );
    expect(parseCsr(b64url(csrFor({ key: "p384", subject: "/CN=a.example" }))).keyAlgorithm).toBe(
      "ECDSA-P384",
    );
  });
});

interface FailCase {
  readonly name: string;
  readonly csr: () => string;
  readonly identifiers?: CertificateIdentifier[];
  readonly account?: KeyName;
  readonly detail: string | RegExp;
}

const ORDER = dns("a.example", "www.a.example");
const ORDER_SAN = "DNS:a.example,DNS:www.a.example";

const failCases: FailCase[] = [
  {
    name: "fail/garbage base64url",
    csr: () => "this is not base64url!",
    detail: /^CSR is not valid base64url DER/,
  },
  { name: "fail/empty", csr: () => "", detail: /^CSR is not valid base64url DER/ },
  { name: "fail/impossible base64url length", csr: () => "MAMCA", detail: /^CSR is not valid base64url DER/ },
  {
    name: "fail/base64url but not DER",
    csr: () => Buffer.from("hello, certificate authority").toString("base64url"),
    detail: /^CSR is not valid base64url DER: the bytes are not one DER SEQUENCE/,
  },
  {
    name: "fail/DER with trailing garbage",
    csr: () => b64url(Buffer.concat([csrFor({ key: "p256", subject: "/CN=a.example" }), Buffer.of(0)])),
    detail: /^CSR is not valid base64url DER/,
  },
  {
    name: "fail/DER but not PKCS#10",
    csr: () => b64url(Uint8Array.of(0x30, 0x03, 0x02, 0x01, 0x01)),
    detail: /^CSR is not a PKCS#10 certification request/,
  },
  {
    name: "fail/too large",
    csr: () => "A".repeat(MAX_CSR_BYTES * 2),
    detail: `CSR is larger than ${MAX_CSR_BYTES} bytes`,
  },
  {
    name: "fail/bad signature (last signature byte flipped)",
    csr: () => {
      const der = csrFor({ key: "p256", subject: "/CN=a.example", san: ORDER_SAN });
      der[der.length - 1] = (der[der.length - 1] ?? 0) ^ 0x01;
      return b64url(der);
    },
    detail: "CSR signature is invalid",
  },
  {
    name: "fail/bad signature (RSA)",
    csr: () => {
      const der = csrFor({ key: "rsa2048", subject: "/CN=a.example", san: ORDER_SAN });
      der[der.length - 10] = (der[der.length - 10] ?? 0) ^ 0x80;
      return b64url(der);
    },
    detail: "CSR signature is invalid",
  },
  {
    name: "fail/SHA-1 signature",
    csr: () => b64url(csrFor({ key: "rsa2048", subject: "/CN=a.example", san: ORDER_SAN, digest: "sha1" })),
    detail: /^CSR signature algorithm RSASSA-PKCS1-v1_5 with SHA-1 is not allowed/,
  },
  {
    name: "fail/RSA key with public exponent 3",
    csr: () => b64url(csrFor({ key: "rsaExponent3", subject: "/CN=a.example", san: ORDER_SAN })),
    detail: /^CSR public key RSA-2048 is not allowed: RSA public exponent 3 is not allowed/,
  },
  {
    name: "fail/RSA key whose primes Fermat's method finds",
    csr: () => b64url(csrFor({ key: "rsaFermat", subject: "/CN=a.example", san: ORDER_SAN })),
    detail: /^CSR public key RSA-2048 is not allowed: .*Fermat/,
  },
  {
    name: "fail/RSA-1024 key",
    csr: () => b64url(csrFor({ key: "rsa1024", subject: "/CN=a.example", san: ORDER_SAN })),
    detail: /^CSR public key RSA-1024 is not allowed: RSA keys must have 2048 to 8192 bits/,
  },
  {
    name: "fail/P-521 key",
    csr: () => b64url(csrFor({ key: "p521", subject: "/CN=a.example", san: ORDER_SAN })),
    detail: /^CSR public key ECDSA-P521 is not allowed/,
  },
  {
    name: "fail/Ed25519 key",
    csr: () => b64url(csrFor({ key: "ed25519", subject: "/CN=a.example", san: ORDER_SAN })),
    detail: /^CSR public key Ed25519 is not allowed/,
  },
  {
    name: "fail/CSR key is the account key",
    csr: () => b64url(csrFor({ key: "p256", subject: "/CN=a.example", san: ORDER_SAN })),
    account: "p256",
    detail: "CSR public key must not be the account key",
  },
  {
    name: "fail/CSR key is the account key, point written compressed",
    csr: () => b64url(csrFor({ key: "p256compressed", subject: "/CN=a.example", san: ORDER_SAN })),
    account: "p256",
    detail: "CSR public key must not be the account key",
  },
  {
    name: "fail/extra name",
    csr: () =>
      b64url(csrFor({ key: "p256", subject: "/CN=a.example", san: `${ORDER_SAN},DNS:evil.example` })),
    detail: "CSR names do not match the order's identifiers (not in the order: dns:evil.example)",
  },
  {
    name: "fail/extra IP address",
    csr: () => b64url(csrFor({ key: "p256", subject: "/CN=a.example", san: `${ORDER_SAN},IP:192.0.2.7` })),
    detail: "CSR names do not match the order's identifiers (not in the order: ip:192.0.2.7)",
  },
  {
    name: "fail/missing name",
    csr: () => b64url(csrFor({ key: "p256", subject: "/CN=a.example", san: "DNS:a.example" })),
    detail: "CSR names do not match the order's identifiers (missing from the CSR: dns:www.a.example)",
  },
  {
    name: "fail/extra and missing",
    csr: () => b64url(csrFor({ key: "p256", subject: "/O=Test", san: "DNS:a.example,DNS:b.example" })),
    detail:
      "CSR names do not match the order's identifiers (not in the order: dns:b.example; missing from the CSR: dns:www.a.example)",
  },
  {
    name: "fail/no names at all",
    csr: () => b64url(csrFor({ key: "p256", subject: "/O=Test" })),
    detail: /missing from the CSR: dns:a\.example, dns:www\.a\.example/,
  },
  {
    name: "fail/CN not among the identifiers",
    csr: () => b64url(csrFor({ key: "p256", subject: "/CN=other.example", san: ORDER_SAN })),
    detail: `CSR common name "other.example" is not one of the order's identifiers`,
  },
  {
    name: "fail/email subjectAltName",
    csr: () =>
      b64url(csrFor({ key: "p256", subject: "/CN=a.example", san: `${ORDER_SAN},email:x@a.example` })),
    detail: /^CSR subjectAltName contains a name of type email/,
  },
  {
    name: "fail/URI subjectAltName",
    csr: () =>
      b64url(csrFor({ key: "p256", subject: "/CN=a.example", san: `${ORDER_SAN},URI:https://a.example/` })),
    detail: /^CSR subjectAltName contains a name of type url/,
  },
  {
    // The x509 library's name list drops an otherName of an unknown type; it must not pass (issue 14).
    name: "fail/otherName subjectAltName of an unknown type",
    csr: () =>
      b64url(csrFor({ key: "p256", subject: "/CN=a.example", san: `${ORDER_SAN},otherName:1.2.3.4;UTF8:x` })),
    detail: /^CSR subjectAltName contains a name of type otherName/,
  },
  {
    name: "fail/registeredID subjectAltName",
    csr: () => b64url(csrFor({ key: "p256", subject: "/CN=a.example", san: `${ORDER_SAN},RID:1.2.3.4` })),
    detail: /^CSR subjectAltName contains a name of type registeredID/,
  },
];

describe("parseCsr + verifyCsr refuse", () => {
  it.each(failCases)("$name", async (testCase) => {
    const problem = await problemOf(async () => {
      const csr = parseCsr(testCase.csr());
      await verifyCsr(csr, {
        identifiers: testCase.identifiers ?? ORDER,
        accountSpkiSha256: testCase.account ? spkiSha256OfJwk(jwkOf(testCase.account)) : undefined,
      });
    });
    expect(problem.type).toBe("badCSR");
    expect(problem.status).toBe(400);
    expect(problem.toJSON().type).toBe("urn:ietf:params:acme:error:badCSR");
    if (typeof testCase.detail === "string") expect(problem.detail).toBe(testCase.detail);
    else expect(problem.detail).toMatch(testCase.detail);
  });
});

interface OkCase {
  readonly name: string;
  readonly csr: CsrSpec;
  readonly identifiers: CertificateIdentifier[];
  readonly account?: KeyName;
}

const okCases: OkCase[] = [
  {
    name: "ok/P-256 with CN and SANs",
    csr: { key: "p256", subject: "/CN=a.example", san: ORDER_SAN },
    identifiers: ORDER,
  },
  { name: "ok/P-384, SANs only", csr: { key: "p384", san: ORDER_SAN }, identifiers: ORDER },
  {
    name: "ok/RSA-2048",
    csr: { key: "rsa2048", subject: "/CN=www.a.example", san: ORDER_SAN },
    identifiers: ORDER,
  },
  {
    name: "ok/CN only, no SAN extension",
    csr: { key: "p256", subject: "/CN=a.example" },
    identifiers: dns("a.example"),
  },
  {
    name: "ok/names differing only by case",
    csr: { key: "p256", subject: "/CN=A.EXAMPLE", san: "DNS:A.Example,DNS:WWW.a.example" },
    identifiers: dns("a.example", "www.A.example"),
  },
  {
    name: "ok/IPv6 identifier written differently from the CSR",
    csr: { key: "p256", san: "IP:2001:db8::1,IP:192.0.2.1" },
    identifiers: [
      { type: "ip", value: "2001:0DB8:0000:0000:0000:0000:0000:0001" },
      { type: "ip", value: "192.0.2.1" },
    ],
  },
  {
    name: "ok/IPv6 common name in uncompressed form",
    csr: { key: "p256", subject: "/CN=2001:db8:0:0:0:0:0:1", san: "IP:2001:db8::1" },
    identifiers: [{ type: "ip", value: "2001:db8::1" }],
  },
  {
    name: "ok/duplicate SAN entries",
    csr: { key: "p256", san: `${ORDER_SAN},DNS:a.example` },
    identifiers: ORDER,
  },
  { name: "ok/wildcard", csr: { key: "p256", san: "DNS:*.a.example" }, identifiers: dns("*.a.example") },
  {
    name: "ok/a different account key",
    csr: { key: "p256", subject: "/CN=a.example", san: ORDER_SAN },
    identifiers: ORDER,
    account: "p384",
  },
];

describe("parseCsr + verifyCsr accept", () => {
  it.each(okCases)("$name", async (testCase) => {
    const csr: ParsedCsr = parseCsr(b64url(csrFor(testCase.csr)));
    await expect(
      verifyCsr(csr, {
        identifiers: testCase.identifiers,
        accountSpkiSha256: testCase.account ? spkiSha256OfJwk(jwkOf(testCase.account)) : undefined,
      }),
    ).resolves.toBeUndefined();
  });
});
