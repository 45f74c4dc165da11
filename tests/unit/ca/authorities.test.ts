// The CA hierarchy's certificates, checked by an independent verifier (OpenSSL) as well as by
// parsing them back: chains verify, extensions match RFC 5280 / BR §7.1.2 profiles, serials are
// random and positive, sealed keys are bound to their master key and context.
import { execFileSync, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { caKeySealContext, writePublicCaFiles } from "@/lib/ca/authorities";
import {
  type CaSigner,
  CLOCK_SKEW_BACKDATE_MS,
  createIssuingCertificate,
  createRootCertificate,
} from "@/lib/ca/ca-certificates";
import {
  encodePkcs8Pem,
  exportPrivateKeyPkcs8,
  generateKeyPair,
  importPrivateKeyPkcs8,
  type KeyAlgorithm,
  keyAlgorithmOf,
} from "@/lib/ca/keys";
import { generateSerialNumberHex, SERIAL_NUMBER_BYTES } from "@/lib/ca/serials";
import {
  createServerTlsCertificate,
  findServerTlsReissueReason,
  normalizeServerHostnames,
  SERVER_TLS_CERTIFICATE_LIFETIME_MS,
} from "@/lib/ca/server-tls";
import { SecretBox } from "@/lib/crypto/secret-box";
import {
  AuthorityKeyIdentifierExtension,
  BasicConstraintsExtension,
  ExtendedKeyUsage,
  ExtendedKeyUsageExtension,
  KeyUsageFlags,
  KeyUsagesExtension,
  SubjectAlternativeNameExtension,
  SubjectKeyIdentifierExtension,
  type X509Certificate,
} from "@/lib/crypto/x509";

const CA_NAME = "Keyward Test";
const DAY_MS = 24 * 60 * 60 * 1000;
const YEAR_MS = 365.25 * DAY_MS;
// RSA key generation takes up to a few seconds per key on a 2-core machine.
const KEYGEN_TIMEOUT_MS = 60_000;

function openssl(...args: string[]): string {
  const result = spawnSync("openssl", args, { encoding: "utf8" });
  return `${result.stdout}${result.stderr}`;
}

function extensionSection(text: string, title: string): string {
  const lines = text.split("\n");
  const start = lines.findIndex((line) => line.trim().startsWith(title));
  if (start < 0) return "";
  return `${lines[start]?.trim()}\n${lines[start + 1]?.trim()}`;
}

interface Hierarchy {
  readonly root: X509Certificate;
  readonly issuing: X509Certificate;
  readonly issuingSigner: CaSigner;
  readonly leaf: X509Certificate;
  readonly leafKeyPem: string;
  readonly dir: string;
}

describe.each<KeyAlgorithm>(["ECDSA-P256", "RSA-3072"])("CA hierarchy with %s keys", (algorithm) => {
  let hierarchy: Hierarchy;
  const now = new Date();

  beforeAll(async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "keyward-ca-"));
    const rootKeys = await generateKeyPair(algorithm);
    const issuingKeys = await generateKeyPair(algorithm);
    const root = await createRootCertificate({ caName: CA_NAME, keys: rootKeys, now });
    const issuing = await createIssuingCertificate({
      caName: CA_NAME,
      issuingPublicKey: issuingKeys.publicKey,
      root: { certificate: root.certificate, keyAlgorithm: algorithm, privateKey: rootKeys.privateKey },
      now,
    });
    // Signing goes through a key re-imported from PKCS#8, as after a restart.
    const issuingSigner: CaSigner = {
      certificate: issuing.certificate,
      keyAlgorithm: algorithm,
      privateKey: await importPrivateKeyPkcs8(await exportPrivateKeyPkcs8(issuingKeys.privateKey), algorithm),
    };
    const leafKeys = await generateKeyPair("ECDSA-P256");
    const leaf = await createServerTlsCertificate({
      issuer: issuingSigner,
      subjectPublicKey: leafKeys.publicKey,
      hostnames: ["localhost", "127.0.0.1", "::1", "Keyward.Example."],
      now,
    });
    await writePublicCaFiles(dir, {
      root: { pem: root.certificate.toString("pem"), der: new Uint8Array(root.certificate.rawData) },
      issuing: { pem: issuing.certificate.toString("pem"), der: new Uint8Array(issuing.certificate.rawData) },
    });
    fs.writeFileSync(path.join(dir, "leaf.pem"), leaf.toString("pem"));
    hierarchy = {
      root: root.certificate,
      issuing: issuing.certificate,
      issuingSigner,
      leaf,
      leafKeyPem: encodePkcs8Pem(await exportPrivateKeyPkcs8(leafKeys.privateKey)),
      dir,
    };
  }, KEYGEN_TIMEOUT_MS);

  afterAll(() => {
    if (hierarchy) fs.rmSync(hierarchy.dir, { recursive: true, force: true });
  });

  const file = (name: string) => path.join(hierarchy.dir, name);

  it("openssl verifies the issuing CA against the root", () => {
    const output = openssl("verify", "-x509_strict", "-CAfile", file("ca/root.pem"), file("ca/issuing.pem"));
    expect(output.trim()).toBe(`${file("ca/issuing.pem")}: OK`);
  });

  it("openssl verifies a TLS server leaf through the issuing CA, for the sslserver purpose", () => {
    const output = openssl(
      "verify",
      "-x509_strict",
      "-purpose",
      "sslserver",
      "-CAfile",
      file("ca/root.pem"),
      "-untrusted",
      file("ca/issuing.pem"),
      file("leaf.pem"),
    );
    expect(output.trim()).toBe(`${file("leaf.pem")}: OK`);
  });

  it("openssl refuses the leaf without the issuing CA, and the root against the issuing CA", () => {
    expect(openssl("verify", "-CAfile", file("ca/root.pem"), file("leaf.pem"))).toMatch(
      /unable to get local issuer/,
    );
    expect(openssl("verify", "-CAfile", file("ca/issuing.pem"), file("ca/root.pem"))).not.toMatch(/: OK\s*$/);
  });

  it("openssl verifies the leaf against chain.pem as the whole trust store", () => {
    const output = openssl("verify", "-CAfile", file("ca/chain.pem"), file("leaf.pem"));
    expect(output.trim()).toBe(`${file("leaf.pem")}: OK`);
  });

  it("the DER and PEM files hold the same certificates", () => {
    expect(fs.readFileSync(file("ca/root.der")).equals(Buffer.from(hierarchy.root.rawData))).toBe(true);
    expect(fs.readFileSync(file("ca/issuing.der")).equals(Buffer.from(hierarchy.issuing.rawData))).toBe(true);
    const chain = fs.readFileSync(file("ca/chain.pem"), "utf8");
    expect(chain.indexOf(hierarchy.issuing.toString("base64").slice(0, 64))).toBeLessThan(
      chain.indexOf(hierarchy.root.toString("base64").slice(0, 64)),
    );
  });

  it("openssl reads the expected CA extensions (RFC 5280 §4.2.1.3, §4.2.1.9)", () => {
    const rootText = openssl("x509", "-in", file("ca/root.pem"), "-noout", "-text");
    expect(extensionSection(rootText, "X509v3 Basic Constraints")).toBe(
      "X509v3 Basic Constraints: critical\nCA:TRUE",
    );
    expect(extensionSection(rootText, "X509v3 Key Usage")).toBe(
      "X509v3 Key Usage: critical\nCertificate Sign, CRL Sign",
    );
    expect(rootText).toMatch(/Subject: O ?= ?Keyward Test, CN ?= ?Keyward Test Root CA/);

    const issuingText = openssl("x509", "-in", file("ca/issuing.pem"), "-noout", "-text");
    expect(extensionSection(issuingText, "X509v3 Basic Constraints")).toBe(
      "X509v3 Basic Constraints: critical\nCA:TRUE, pathlen:0",
    );
    expect(extensionSection(issuingText, "X509v3 Key Usage")).toBe(
      "X509v3 Key Usage: critical\nDigital Signature, Certificate Sign, CRL Sign",
    );
    expect(issuingText).toMatch(/Issuer: O ?= ?Keyward Test, CN ?= ?Keyward Test Root CA/);
    expect(issuingText).toMatch(/Subject: O ?= ?Keyward Test, CN ?= ?Keyward Test Issuing CA 1/);

    const expectedSignature = algorithm.startsWith("ECDSA") ? "ecdsa-with-SHA256" : "sha256WithRSAEncryption";
    expect(rootText).toContain(`Signature Algorithm: ${expectedSignature}`);
    expect(issuingText).toContain(`Signature Algorithm: ${expectedSignature}`);
  });

  it("root: CA without path length, keyCertSign + cRLSign, AKI equal to its own SKI", () => {
    const { root } = hierarchy;
    const basicConstraints = root.getExtension(BasicConstraintsExtension);
    expect(basicConstraints?.ca).toBe(true);
    expect(basicConstraints?.critical).toBe(true);
    expect(basicConstraints?.pathLength).toBeUndefined();
    const keyUsage = root.getExtension(KeyUsagesExtension);
    expect(keyUsage?.critical).toBe(true);
    expect(keyUsage?.usages).toBe(KeyUsageFlags.keyCertSign | KeyUsageFlags.cRLSign);
    const ski = root.getExtension(SubjectKeyIdentifierExtension)?.keyId;
    expect(ski).toMatch(/^[0-9a-f]{40}$/);
    expect(root.getExtension(AuthorityKeyIdentifierExtension)?.keyId).toBe(ski);
    expect(root.subject).toBe(root.issuer);
  });

  it("issuing: pathLen 0, digitalSignature + keyCertSign + cRLSign, AKI equal to the root's SKI", () => {
    const { root, issuing } = hierarchy;
    const basicConstraints = issuing.getExtension(BasicConstraintsExtension);
    expect(basicConstraints?.ca).toBe(true);
    expect(basicConstraints?.critical).toBe(true);
    expect(basicConstraints?.pathLength).toBe(0);
    const keyUsage = issuing.getExtension(KeyUsagesExtension);
    expect(keyUsage?.critical).toBe(true);
    expect(keyUsage?.usages).toBe(
      KeyUsageFlags.digitalSignature | KeyUsageFlags.keyCertSign | KeyUsageFlags.cRLSign,
    );
    expect(issuing.getExtension(ExtendedKeyUsageExtension)?.usages).toEqual([
      ExtendedKeyUsage.serverAuth,
      ExtendedKeyUsage.clientAuth,
    ]);
    const issuingSki = issuing.getExtension(SubjectKeyIdentifierExtension)?.keyId;
    const rootSki = root.getExtension(SubjectKeyIdentifierExtension)?.keyId;
    expect(issuingSki).toMatch(/^[0-9a-f]{40}$/);
    expect(issuingSki).not.toBe(rootSki);
    expect(issuing.getExtension(AuthorityKeyIdentifierExtension)?.keyId).toBe(rootSki);
    expect(issuing.issuer).toBe(root.subject);
    expect(
      Buffer.from(issuing.issuerName.toArrayBuffer()).equals(Buffer.from(root.subjectName.toArrayBuffer())),
    ).toBe(true);
  });

  it("validity: root about 20 years, issuing about 10 and not beyond the root, both backdated", () => {
    const { root, issuing } = hierarchy;
    const nowSeconds = Math.floor(now.getTime() / 1000) * 1000;
    expect(root.notBefore.getTime()).toBe(nowSeconds - CLOCK_SKEW_BACKDATE_MS);
    expect(issuing.notBefore.getTime()).toBe(nowSeconds - CLOCK_SKEW_BACKDATE_MS);
    expect((root.notAfter.getTime() - now.getTime()) / YEAR_MS).toBeCloseTo(20, 1);
    expect((issuing.notAfter.getTime() - now.getTime()) / YEAR_MS).toBeCloseTo(10, 1);
    expect(issuing.notAfter.getTime()).toBeLessThanOrEqual(root.notAfter.getTime());
  });

  it("leaf: SANs for DNS names and IP literals, serverAuth, digitalSignature, CA:FALSE, 90 days", () => {
    const { leaf, issuing } = hierarchy;
    const text = openssl("x509", "-in", file("leaf.pem"), "-noout", "-text");
    expect(extensionSection(text, "X509v3 Subject Alternative Name")).toBe(
      "X509v3 Subject Alternative Name:\nDNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1, DNS:keyward.example",
    );
    expect(extensionSection(text, "X509v3 Extended Key Usage")).toBe(
      "X509v3 Extended Key Usage:\nTLS Web Server Authentication",
    );
    expect(extensionSection(text, "X509v3 Key Usage")).toBe("X509v3 Key Usage: critical\nDigital Signature");
    expect(extensionSection(text, "X509v3 Basic Constraints")).toBe(
      "X509v3 Basic Constraints: critical\nCA:FALSE",
    );
    expect(leaf.getExtension(SubjectAlternativeNameExtension)?.critical).toBe(false);
    expect(leaf.subject).toBe("CN=localhost");
    expect(leaf.getExtension(AuthorityKeyIdentifierExtension)?.keyId).toBe(
      issuing.getExtension(SubjectKeyIdentifierExtension)?.keyId,
    );
    expect(leaf.notAfter.getTime() - leaf.notBefore.getTime()).toBe(SERVER_TLS_CERTIFICATE_LIFETIME_MS);
  });

  it("serial numbers are positive 16-byte values, distinct across the hierarchy", () => {
    const serials = [hierarchy.root, hierarchy.issuing, hierarchy.leaf].map(
      (certificate) => certificate.serialNumber,
    );
    for (const serial of serials) {
      expect(serial).toMatch(/^[0-9a-f]{32}$/);
      expect(Number.parseInt(serial.slice(0, 2), 16)).toBeLessThan(0x80);
    }
    expect(new Set(serials).size).toBe(3);
  });

  it("a stored leaf is reused while valid and reissued when names, issuer, key or time say so", async () => {
    const { leaf, issuing, root, leafKeyPem } = hierarchy;
    const base = { leafPem: leaf.toString("pem"), keyPem: leafKeyPem, issuer: issuing, now };
    const hostnames = ["::1", "keyward.example", "127.0.0.1", "LOCALHOST"];
    expect(await findServerTlsReissueReason({ ...base, hostnames })).toBeNull();
    expect(await findServerTlsReissueReason({ ...base, hostnames: ["localhost"] })).toBe("hostnames-changed");
    expect(await findServerTlsReissueReason({ ...base, hostnames, issuer: root })).toBe("issuer-changed");
    const otherKey = encodePkcs8Pem(
      await exportPrivateKeyPkcs8((await generateKeyPair("ECDSA-P256")).privateKey),
    );
    expect(await findServerTlsReissueReason({ ...base, hostnames, keyPem: otherKey })).toBe("key-mismatch");
    const in61Days = new Date(now.getTime() + 61 * DAY_MS);
    expect(await findServerTlsReissueReason({ ...base, hostnames, now: in61Days })).toBe("expiring");
    expect(await findServerTlsReissueReason({ ...base, hostnames, keyPem: "not a key" })).toBe("unreadable");
  });
});

describe("serial numbers (BR §7.1: ≥ 64 bits from a CSPRNG, positive)", () => {
  const SAMPLES = 2000;
  const serials = Array.from({ length: SAMPLES }, () => generateSerialNumberHex());

  it("are 16 bytes, positive and minimally encoded", () => {
    for (const serial of serials) {
      expect(serial).toMatch(/^[0-9a-f]{32}$/);
      expect(serial.length).toBe(SERIAL_NUMBER_BYTES * 2);
      const firstOctet = Number.parseInt(serial.slice(0, 2), 16);
      expect(firstOctet & 0x80).toBe(0);
      expect(firstOctet).toBeGreaterThan(0);
    }
  });

  it("are distinct", () => {
    expect(new Set(serials).size).toBe(SAMPLES);
  });

  it("vary in at least 64 bit positions (only the two top bits are fixed)", () => {
    const ones = new Array<number>(SERIAL_NUMBER_BYTES * 8).fill(0);
    for (const serial of serials) {
      const bytes = Buffer.from(serial, "hex");
      for (let bit = 0; bit < ones.length; bit++) {
        if ((bytes[bit >> 3] ?? 0) & (0x80 >> (bit & 7))) ones[bit] = (ones[bit] ?? 0) + 1;
      }
    }
    const varyingBits = ones.filter((count) => count > SAMPLES * 0.4 && count < SAMPLES * 0.6).length;
    expect(varyingBits).toBeGreaterThanOrEqual(64);
    expect(varyingBits).toBe(SERIAL_NUMBER_BYTES * 8 - 2);
  });
});

describe("sealed CA private keys", () => {
  it("open only with the same master key and the same CA context", async () => {
    const keys = await generateKeyPair("ECDSA-P256");
    const pkcs8 = await exportPrivateKeyPkcs8(keys.privateKey);
    const box = new SecretBox(randomBytes(32));
    const otherBox = new SecretBox(randomBytes(32));
    const sealed = box.seal(pkcs8, caKeySealContext("ca-1"));

    expect(Buffer.from(sealed).includes(Buffer.from(pkcs8))).toBe(false);
    expect(() => otherBox.open(sealed, caKeySealContext("ca-1"))).toThrow();
    expect(() => box.open(sealed, caKeySealContext("ca-2"))).toThrow();
    expect(() => box.open(sealed, "nonce-key")).toThrow();
    const opened = box.open(sealed, caKeySealContext("ca-1"));
    expect(opened.equals(Buffer.from(pkcs8))).toBe(true);
  });

  it(
    "re-import as non-extractable keys of the right algorithm",
    async () => {
      for (const algorithm of ["ECDSA-P256", "ECDSA-P384", "RSA-3072"] as const) {
        const keys = await generateKeyPair(algorithm);
        const imported = await importPrivateKeyPkcs8(await exportPrivateKeyPkcs8(keys.privateKey), algorithm);
        expect(imported.extractable).toBe(false);
        expect(keyAlgorithmOf(imported)).toBe(algorithm);
        await expect(crypto.subtle.exportKey("pkcs8", imported)).rejects.toThrow();
      }
    },
    KEYGEN_TIMEOUT_MS,
  );
});

describe("server host names", () => {
  it("normalises DNS names and IP literals for subjectAltName", () => {
    expect(
      normalizeServerHostnames(["LocalHost.", "[::1]", "0:0:0:0:0:0:0:1", "127.0.0.1", "localhost"]),
    ).toEqual([
      { type: "dns", value: "localhost" },
      { type: "ip", value: "::1" },
      { type: "ip", value: "127.0.0.1" },
    ]);
  });

  it("rejects what cannot be certified", () => {
    expect(() => normalizeServerHostnames([])).toThrow(/at least one/);
    expect(() => normalizeServerHostnames(["fe80::1%eth0"])).toThrow(/zone/);
    expect(() => normalizeServerHostnames(["bad host"])).toThrow(/neither/);
    expect(() => normalizeServerHostnames(["-leading.example"])).toThrow(/neither/);
  });
});

it("openssl is available for these tests", () => {
  expect(execFileSync("openssl", ["version"], { encoding: "utf8" })).toMatch(/^OpenSSL 3/);
});
