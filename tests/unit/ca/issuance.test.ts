// issueLeafCertificate against CAs built in memory (no database), checked by OpenSSL as the
// independent verifier: chain validation, the RFC 5280 / BR §7.1.2.7 profile as `openssl x509
// -text` prints it, serials, the common-name rules and the notBefore/notAfter decisions.
import { spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type CaSigner,
  createIssuingCertificate,
  createRootCertificate,
  encodeCertificatePem,
} from "@/lib/ca/ca-certificates";
import { type CertificateIdentifier, type ParsedCsr, parseCsr, verifyCsr } from "@/lib/ca/csr";
import {
  chooseCommonName,
  DEFAULT_LEAF_VALIDITY_DAYS,
  type IssuedCertificate,
  issueLeafCertificate,
  type LeafIssuer,
  resolveLeafValidity,
} from "@/lib/ca/issuance";
import { generateKeyPair, type KeyAlgorithm } from "@/lib/ca/keys";
import { X509Certificate } from "@/lib/crypto/x509";
import { AcmeProblem } from "@/lib/problem";

const KEYGEN_TIMEOUT_MS = 60_000;
const PUBLIC_URL = "http://ca.keyward.test:8080";
const DAY_MS = 24 * 60 * 60 * 1000;

function openssl(args: string[], input?: string): { status: number | null; out: string } {
  const result = spawnSync("openssl", args, { encoding: "utf8", input });
  return { status: result.status, out: `${result.stdout}${result.stderr}` };
}

interface TestCa {
  readonly issuer: LeafIssuer;
  readonly rootPemFile: string;
  readonly issuingPemFile: string;
}

let dir: string;

async function buildCa(algorithm: KeyAlgorithm): Promise<TestCa> {
  const rootKeys = await generateKeyPair(algorithm);
  const issuingKeys = await generateKeyPair(algorithm);
  const root = await createRootCertificate({ caName: "Keyward Issuance Test", keys: rootKeys });
  const rootSigner: CaSigner = {
    certificate: root.certificate,
    keyAlgorithm: algorithm,
    privateKey: rootKeys.privateKey,
  };
  const issuing = await createIssuingCertificate({
    caName: "Keyward Issuance Test",
    issuingPublicKey: issuingKeys.publicKey,
    root: rootSigner,
  });
  const rootPemFile = path.join(dir, `root-${algorithm}.pem`);
  const issuingPemFile = path.join(dir, `issuing-${algorithm}.pem`);
  const issuingPem = encodeCertificatePem(issuing.certificate);
  fs.writeFileSync(rootPemFile, encodeCertificatePem(root.certificate));
  fs.writeFileSync(issuingPemFile, issuingPem);
  return {
    issuer: {
      id: randomUUID(),
      pem: issuingPem,
      signer: {
        certificate: issuing.certificate,
        keyAlgorithm: algorithm,
        privateKey: issuingKeys.privateKey,
      },
    },
    rootPemFile,
    issuingPemFile,
  };
}

/** A CSR from `openssl req` for a fresh key of the given openssl genpkey options. */
function makeCsr(keyOptions: string[], subject: string, san?: string): ParsedCsr {
  const keyFile = path.join(dir, `leaf-${randomUUID()}.key`);
  const csrFile = `${keyFile}.csr`;
  const keygen = openssl(["genpkey", ...keyOptions, "-out", keyFile]);
  if (keygen.status !== 0) throw new Error(keygen.out);
  const args = ["req", "-new", "-key", keyFile, "-subj", subject, "-outform", "DER", "-out", csrFile];
  if (san) args.push("-addext", `subjectAltName=${san}`);
  const req = openssl(args);
  if (req.status !== 0) throw new Error(req.out);
  return parseCsr(fs.readFileSync(csrFile).toString("base64url"));
}

const P256_KEY = ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"];
const RSA2048_KEY = ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"];

function writeLeaf(issued: IssuedCertificate): string {
  const file = path.join(dir, `leaf-${issued.serialHex}.pem`);
  fs.writeFileSync(file, issued.pem);
  return file;
}

async function problemOf(action: () => Promise<unknown>): Promise<AcmeProblem> {
  try {
    await action();
  } catch (error) {
    if (error instanceof AcmeProblem) return error;
    throw error;
  }
  throw new Error("expected an AcmeProblem");
}

const IDENTIFIERS: CertificateIdentifier[] = [
  { type: "dns", value: "a.example" },
  { type: "dns", value: "www.a.example" },
  { type: "ip", value: "192.0.2.1" },
  { type: "ip", value: "2001:db8::1" },
];
const IDENTIFIERS_SAN = "DNS:a.example,DNS:www.a.example,IP:192.0.2.1,IP:2001:db8::1";

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "keyward-issuance-"));
});

afterAll(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe.each<[KeyAlgorithm, string[], string]>([
  ["ECDSA-P256", P256_KEY, "ECDSA-P256"],
  ["RSA-3072", RSA2048_KEY, "RSA-2048"],
])("leaf certificates from a %s CA", (caAlgorithm, leafKeyOptions, leafKeyAlgorithm) => {
  let ca: TestCa;
  let csr: ParsedCsr;
  let issued: IssuedCertificate;
  let text: string;
  const now = new Date();

  beforeAll(async () => {
    ca = await buildCa(caAlgorithm);
    csr = makeCsr(leafKeyOptions, "/CN=a.example", IDENTIFIERS_SAN);
    await verifyCsr(csr, { identifiers: IDENTIFIERS });
    issued = await issueLeafCertificate({
      ca: ca.issuer,
      csr,
      identifiers: IDENTIFIERS,
      now,
      publicUrl: PUBLIC_URL,
    });
    text = openssl(["x509", "-noout", "-text", "-in", writeLeaf(issued)]).out;
  }, KEYGEN_TIMEOUT_MS);

  it("chains to the root (openssl verify)", () => {
    const result = openssl([
      "verify",
      "-purpose",
      "sslserver",
      "-CAfile",
      ca.rootPemFile,
      "-untrusted",
      ca.issuingPemFile,
      writeLeaf(issued),
    ]);
    expect(result.out).toMatch(/: OK\s*$/);
    expect(result.status).toBe(0);
  });

  it("carries the profile's extensions", () => {
    expect(text).toMatch(
      /X509v3 Subject Alternative Name: \n\s+DNS:a\.example, DNS:www\.a\.example, IP Address:192\.0\.2\.1, IP Address:2001:DB8:0:0:0:0:0:1\n/,
    );
    expect(text).toMatch(/X509v3 Extended Key Usage: \n\s+TLS Web Server Authentication\n/);
    expect(text).toMatch(/X509v3 Basic Constraints: critical\n\s+CA:FALSE\n/);
    const keyUsage = leafKeyAlgorithm.startsWith("RSA")
      ? "Digital Signature, Key Encipherment"
      : "Digital Signature";
    expect(text).toMatch(new RegExp(`X509v3 Key Usage: critical\\n\\s+${keyUsage}\\n`));
    expect(text).toMatch(
      new RegExp(
        `X509v3 CRL Distribution Points: \\n\\s+Full Name:\\n\\s+URI:${PUBLIC_URL}/ca/crl/${ca.issuer.id}\\n`,
      ),
    );
    expect(text).toContain(`CA Issuers - URI:${PUBLIC_URL}/ca/cert/${ca.issuer.id}`);
    expect(text).not.toContain("OCSP");
    expect(text).toContain("X509v3 Subject Key Identifier");
    const leaf = new X509Certificate(issued.der);
    const issuingSki = ca.issuer.signer.certificate.getExtension("2.5.29.14");
    const leafAki = leaf.getExtension("2.5.29.35");
    expect(issuingSki && leafAki).toBeTruthy();
    expect(Buffer.from(leafAki?.value ?? new ArrayBuffer(0)).toString("hex")).toContain(
      Buffer.from(issuingSki?.value ?? new ArrayBuffer(0))
        .toString("hex")
        .slice(4),
    );
  });

  it("returns the facts the RA stores", () => {
    const leaf = new X509Certificate(issued.der);
    expect(leaf.subject).toBe("CN=a.example");
    expect(issued.subjectDn).toBe("CN=a.example");
    expect(leaf.issuer).toBe(ca.issuer.signer.certificate.subject);
    expect(leaf.serialNumber.toLowerCase()).toBe(issued.serialHex);
    expect(issued.names).toEqual(["dns:a.example", "dns:www.a.example", "ip:192.0.2.1", "ip:2001:db8::1"]);
    expect(issued.keyAlgorithm).toBe(leafKeyAlgorithm);
    expect(issued.spkiSha256).toBe(csr.spkiSha256);
    expect(Buffer.from(leaf.publicKey.rawData).equals(Buffer.from(csr.publicKey))).toBe(true);
    expect(issued.issuerId).toBe(ca.issuer.id);
    expect(leaf.notBefore.getTime()).toBe(issued.notBefore.getTime());
    expect(leaf.notAfter.getTime()).toBe(issued.notAfter.getTime());
    // Backdated a few minutes; 90 days inclusive of both ends (BR §1.6.4).
    expect(now.getTime() - issued.notBefore.getTime()).toBeGreaterThan(0);
    expect(now.getTime() - issued.notBefore.getTime()).toBeLessThanOrEqual(6 * 60 * 1000);
    expect(issued.notAfter.getTime() - issued.notBefore.getTime() + 1000).toBe(
      DEFAULT_LEAF_VALIDITY_DAYS * DAY_MS,
    );
  });

  it("returns the leaf and the issuing CA as the PEM chain, without the root", () => {
    const blocks =
      issued.pemChain.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n/g) ?? [];
    expect(blocks).toHaveLength(2);
    expect(blocks[0]).toBe(issued.pem);
    expect(blocks[1]).toBe(ca.issuer.pem);
    expect(issued.pemChain).toBe(issued.pem + ca.issuer.pem);
  });

  it(
    "draws positive, distinct serial numbers",
    async () => {
      const serials = new Set<string>();
      for (let i = 0; i < 100; i++) {
        const next = await issueLeafCertificate({
          ca: ca.issuer,
          csr,
          identifiers: IDENTIFIERS,
          publicUrl: PUBLIC_URL,
        });
        const leaf = new X509Certificate(next.der);
        expect(leaf.serialNumber.toLowerCase()).toBe(next.serialHex);
        // Positive without a leading 0x00: the first hex digit is 4–7 (lib/ca/serials.ts).
        expect(next.serialHex).toMatch(/^[4-7][0-9a-f]{31}$/);
        serials.add(next.serialHex);
      }
      expect(serials.size).toBe(100);
    },
    KEYGEN_TIMEOUT_MS,
  );
});

describe("common name", () => {
  let ca: TestCa;
  const long = `${"x".repeat(60)}.example`; // 68 characters: over ub-common-name
  const longer = `${"y".repeat(60)}.example`;

  beforeAll(async () => {
    ca = await buildCa("ECDSA-P256");
  }, KEYGEN_TIMEOUT_MS);

  it("picks the first DNS name, else the first IP address", () => {
    expect(chooseCommonName(IDENTIFIERS)).toBe("a.example");
    expect(
      chooseCommonName([
        { type: "ip", value: "192.0.2.1" },
        { type: "dns", value: "b.example" },
      ]),
    ).toBe("b.example");
    expect(
      chooseCommonName([
        { type: "dns", value: long },
        { type: "ip", value: "192.0.2.1" },
      ]),
    ).toBe("192.0.2.1");
    expect(chooseCommonName([{ type: "dns", value: long }])).toBeNull();
  });

  it("skips a first name longer than 64 characters", async () => {
    const identifiers: CertificateIdentifier[] = [
      { type: "dns", value: long },
      { type: "dns", value: "short.example" },
    ];
    const csr = makeCsr(P256_KEY, "/O=Test", `DNS:${long},DNS:short.example`);
    const issued = await issueLeafCertificate({ ca: ca.issuer, csr, identifiers, publicUrl: PUBLIC_URL });
    expect(new X509Certificate(issued.der).subject).toBe("CN=short.example");
  });

  it("leaves the subject empty with a critical SAN when no name fits", async () => {
    const identifiers: CertificateIdentifier[] = [
      { type: "dns", value: long },
      { type: "dns", value: longer },
    ];
    const csr = makeCsr(P256_KEY, "/O=Test", `DNS:${long},DNS:${longer}`);
    await verifyCsr(csr, { identifiers });
    const issued = await issueLeafCertificate({ ca: ca.issuer, csr, identifiers, publicUrl: PUBLIC_URL });
    const leafFile = writeLeaf(issued);
    expect(issued.subjectDn).toBe("");
    expect(new X509Certificate(issued.der).subject).toBe("");
    expect(openssl(["x509", "-noout", "-text", "-in", leafFile]).out).toMatch(
      /X509v3 Subject Alternative Name: critical\n/,
    );
    const verify = openssl(["verify", "-CAfile", ca.rootPemFile, "-untrusted", ca.issuingPemFile, leafFile]);
    expect(verify.out).toMatch(/: OK\s*$/);
  });

  it("uses an IP address when the order has only IP identifiers", async () => {
    const identifiers: CertificateIdentifier[] = [{ type: "ip", value: "2001:DB8:0:0:0:0:0:1" }];
    const csr = makeCsr(P256_KEY, "/O=Test", "IP:2001:db8::1");
    const issued = await issueLeafCertificate({ ca: ca.issuer, csr, identifiers, publicUrl: PUBLIC_URL });
    expect(issued.subjectDn).toBe("CN=2001:db8::1");
    expect(issued.names).toEqual(["ip:2001:db8::1"]);
  });
});

describe("validity", () => {
  const now = new Date("2026-03-01T12:00:00.250Z");
  const issuerNotBefore = new Date("2025-01-01T00:00:00Z");
  const issuerNotAfter = new Date("2035-01-01T00:00:00Z");
  const base = { now, issuerNotBefore, issuerNotAfter };

  it("defaults to now − 5 min for validityDays, inclusive", () => {
    const validity = resolveLeafValidity({ ...base, validityDays: 7 });
    expect(validity.notBefore.toISOString()).toBe("2026-03-01T11:55:00.000Z");
    expect(validity.notAfter.toISOString()).toBe("2026-03-08T11:54:59.000Z");
  });

  it("honours a requested notBefore and notAfter inside the profile", () => {
    const notBefore = new Date("2026-03-02T00:00:00Z");
    const notAfter = new Date("2026-03-20T00:00:00Z");
    expect(resolveLeafValidity({ ...base, notBefore, notAfter })).toEqual({ notBefore, notAfter });
    expect(resolveLeafValidity({ ...base, notBefore }).notAfter.toISOString()).toBe(
      "2026-05-30T23:59:59.000Z",
    );
    expect(resolveLeafValidity({ ...base, notAfter }).notBefore.toISOString()).toBe(
      "2026-03-01T11:55:00.000Z",
    );
  });

  it("clamps the default to the issuer's notAfter", () => {
    const validity = resolveLeafValidity({ ...base, issuerNotAfter: new Date("2026-04-01T00:00:00Z") });
    expect(validity.notAfter.toISOString()).toBe("2026-04-01T00:00:00.000Z");
  });

  it.each([
    [
      "fail/notAfter beyond the profile maximum",
      { notAfter: new Date("2026-06-01T00:00:00Z") },
      /at most 90 days/,
    ],
    [
      "fail/notAfter before notBefore",
      { notBefore: new Date("2026-03-02T00:00:00Z"), notAfter: new Date("2026-03-01T23:00:00Z") },
      /later than notBefore/,
    ],
    ["fail/notAfter in the past", { notAfter: new Date("2026-03-01T11:00:00Z") }, /in the future/],
    ["fail/notBefore three days ago", { notBefore: new Date("2026-02-26T12:00:00Z") }, /within 48 hours/],
    ["fail/notBefore in a week", { notBefore: new Date("2026-03-08T12:00:00Z") }, /within 48 hours/],
    [
      "fail/notAfter beyond the issuer",
      { notAfter: new Date("2026-03-20T00:00:00Z"), issuerNotAfter: new Date("2026-03-10T00:00:00Z") },
      /issuing CA's notAfter/,
    ],
  ])("%s → malformed", (_name, requested, detail) => {
    let problem: unknown;
    try {
      resolveLeafValidity({ ...base, ...requested });
    } catch (error) {
      problem = error;
    }
    expect(problem).toBeInstanceOf(AcmeProblem);
    expect((problem as AcmeProblem).type).toBe("malformed");
    expect((problem as AcmeProblem).status).toBe(400);
    expect((problem as AcmeProblem).detail).toMatch(detail);
  });

  it("refuses a validityDays outside the profile bounds as a configuration error", () => {
    expect(() => resolveLeafValidity({ ...base, validityDays: 0 })).toThrow(/1 to 398 days/);
    expect(() => resolveLeafValidity({ ...base, validityDays: 399 })).toThrow(/1 to 398 days/);
  });

  it("refuses to issue under an expired CA", () => {
    expect(() => resolveLeafValidity({ ...base, issuerNotAfter: new Date("2026-02-01T00:00:00Z") })).toThrow(
      /not valid/,
    );
  });
});

describe("issuance checks", () => {
  let ca: TestCa;
  beforeAll(async () => {
    ca = await buildCa("ECDSA-P256");
  }, KEYGEN_TIMEOUT_MS);

  it("fail/a CSR that does not name the identifiers → badCSR", async () => {
    const csr = makeCsr(P256_KEY, "/CN=a.example", "DNS:a.example");
    const problem = await problemOf(() =>
      issueLeafCertificate({ ca: ca.issuer, csr, identifiers: IDENTIFIERS, publicUrl: PUBLIC_URL }),
    );
    expect(problem.type).toBe("badCSR");
  });

  it("fail/a key the policy refuses → badCSR", async () => {
    const csr = makeCsr(["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-521"], "/CN=a.example");
    const problem = await problemOf(() =>
      issueLeafCertificate({
        ca: ca.issuer,
        csr,
        identifiers: [{ type: "dns", value: "a.example" }],
        publicUrl: PUBLIC_URL,
      }),
    );
    expect(problem.type).toBe("badCSR");
    expect(problem.detail).toMatch(/ECDSA-P521/);
  });

  it("fail/a requested notAfter beyond the profile → malformed", async () => {
    const csr = makeCsr(P256_KEY, "/CN=a.example");
    const problem = await problemOf(() =>
      issueLeafCertificate({
        ca: ca.issuer,
        csr,
        identifiers: [{ type: "dns", value: "a.example" }],
        notAfter: new Date(Date.now() + 100 * DAY_MS),
        publicUrl: PUBLIC_URL,
      }),
    );
    expect(problem.type).toBe("malformed");
  });

  it("refuses identifiers that are not DNS names (a bug upstream, not a client error)", async () => {
    const csr = makeCsr(P256_KEY, "/CN=a..example");
    await expect(
      issueLeafCertificate({
        ca: ca.issuer,
        csr,
        identifiers: [{ type: "dns", value: "a..example" }],
        publicUrl: PUBLIC_URL,
      }),
    ).rejects.toThrow(/not a DNS name/);
  });

  it(
    "measures throughput with a P-256 CA",
    async () => {
      const csr = makeCsr(P256_KEY, "/CN=a.example", IDENTIFIERS_SAN);
      const count = 500;
      for (let i = 0; i < 20; i++) {
        await issueLeafCertificate({ ca: ca.issuer, csr, identifiers: IDENTIFIERS, publicUrl: PUBLIC_URL });
      }
      const started = performance.now();
      const cpuStarted = process.cpuUsage();
      for (let i = 0; i < count; i++) {
        await issueLeafCertificate({ ca: ca.issuer, csr, identifiers: IDENTIFIERS, publicUrl: PUBLIC_URL });
      }
      const perSecond = count / ((performance.now() - started) / 1000);
      const cpu = process.cpuUsage(cpuStarted);
      const perCpuSecond = count / ((cpu.user + cpu.system) / 1e6);
      // The wall-clock rate depends on what else runs on the machine; the CPU-time rate less so.
      console.log(
        `issueLeafCertificate, P-256 CA, P-256 leaf, 4 names: ${perSecond.toFixed(0)} certificates/s ` +
          `(${perCpuSecond.toFixed(0)} per CPU-second)`,
      );
      expect(perSecond).toBeGreaterThan(50);
    },
    KEYGEN_TIMEOUT_MS,
  );
});
