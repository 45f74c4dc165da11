// What an operator hands Keyward as an EAB key (lib/ra/eab-keys.ts), without a database: MAC keys
// uploaded as PEM, DER or raw bytes and checked against their algorithm; certificates and public
// keys read from PEM or DER, with their fingerprint and signature algorithm; and everything refused
// with the field and the rule.
import { createHash, generateKeyPairSync, randomBytes } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { AcmeProblem } from "@/lib/problem";
import { MAC_KEY_MIN_BYTES } from "@/lib/ra/eab-algorithms";
import {
  defaultKeyIdentifier,
  inspectEabPublicKey,
  macKeyFromFile,
  macKeyLengthProblem,
} from "@/lib/ra/eab-keys";
import { type EabKeyPair, eabCertificate, eabKeyPair } from "../../support/eab";

function refusal(fn: () => unknown): { field: string; reason: string } {
  try {
    fn();
  } catch (err) {
    if (err instanceof AcmeProblem) {
      const params = err.options.extra?.invalidParams as { name: string; reason: string }[];
      expect(err.status).toBe(422);
      return { field: params[0]?.name as string, reason: params[0]?.reason as string };
    }
    throw err;
  }
  throw new Error("expected a refusal");
}

describe("MAC keys", () => {
  const key = randomBytes(32);

  it("ok/the spec's key identifier is base64url(SHA-1(key))", () => {
    // FIPS 180 test vector: SHA-1("abc") = a9993e36 4706816a ba3e2571 7850c26c 9cd0d89d.
    expect(defaultKeyIdentifier(Buffer.from("abc"))).toBe(
      Buffer.from("a9993e364706816aba3e25717850c26c9cd0d89d", "hex").toString("base64url"),
    );
    expect(defaultKeyIdentifier(key)).toBe(createHash("sha1").update(key).digest("base64url"));
  });

  it("ok/a PEM file, a DER OCTET STRING and raw bytes all give the key", () => {
    const pem = `-----BEGIN SECRET KEY-----\n${key.toString("base64").replace(/.{20}/g, "$&\n")}\n-----END SECRET KEY-----\n`;
    expect(macKeyFromFile(Buffer.from(pem))).toEqual(key);
    const der = Buffer.concat([Buffer.of(0x04, key.length), key]);
    expect(macKeyFromFile(der)).toEqual(key);
    expect(macKeyFromFile(key)).toEqual(key);
    // `openssl rand 192 > name.key` (spec "Upload PEM/DER Key"): raw bytes.
    const rand = randomBytes(192);
    expect(macKeyFromFile(rand)).toEqual(rand);
  });

  it("ok/raw bytes that merely start like an OCTET STRING stay raw bytes", () => {
    const looksLikeDer = Buffer.concat([Buffer.of(0x04, 0x05), randomBytes(40)]);
    expect(macKeyFromFile(looksLikeDer)).toEqual(looksLikeDer);
  });

  it("fail/a key shorter than its algorithm's hash (RFC 7518 §3.2), or longer than 384 bytes", () => {
    expect(macKeyLengthProblem(randomBytes(32), "HS256")).toBeNull();
    expect(macKeyLengthProblem(randomBytes(31), "HS256")).toBe(
      "HS256 needs a key of at least 256 bits (RFC 7518 §3.2); this one has 248",
    );
    expect(macKeyLengthProblem(randomBytes(32), "HS384")).toMatch(/HS384 needs a key of at least 384 bits/);
    expect(macKeyLengthProblem(randomBytes(48), "HS512")).toMatch(/HS512 needs a key of at least 512 bits/);
    expect(macKeyLengthProblem(randomBytes(MAC_KEY_MIN_BYTES.HS512), "HS512")).toBeNull();
    expect(macKeyLengthProblem(randomBytes(385), "HS256")).toMatch(/at most 384 bytes/);
  });
});

describe("certificates and public keys", () => {
  let ec: EabKeyPair;
  let rsa: EabKeyPair;
  let ed: EabKeyPair;

  beforeAll(() => {
    ec = eabKeyPair("ec");
    rsa = eabKeyPair("rsa");
    ed = eabKeyPair("ed25519");
  });

  it("ok/a certificate in PEM and in DER: same fingerprint (SHA-256 of the DER), its algorithm", async () => {
    const cert = await eabCertificate(ec);
    for (const input of [cert.pem, new Uint8Array(cert.der), new Uint8Array(Buffer.from(cert.pem))]) {
      const read = inspectEabPublicKey(input);
      expect(read).toMatchObject({
        kind: "certificate",
        keyType: "ec",
        keyDescription: "ECDSA prime256v1",
        fingerprint: cert.fingerprint,
        signatureAlgorithm: "SHA256withECDSA",
      });
      // Stored as PEM whatever the upload was, holding exactly the uploaded certificate.
      expect(read.pem).toMatch(/^-----BEGIN CERTIFICATE-----/);
      expect(Buffer.from(read.pem.replace(/-----[A-Z ]+-----|\s/g, ""), "base64")).toEqual(cert.der);
    }
  });

  it("ok/RSA and Ed25519 certificates give SHA256WithRSA and Ed25519", async () => {
    expect(inspectEabPublicKey((await eabCertificate(rsa)).pem).signatureAlgorithm).toBe("SHA256WithRSA");
    expect(inspectEabPublicKey((await eabCertificate(ed)).pem).signatureAlgorithm).toBe("Ed25519");
  });

  it("ok/a bare public key in PEM and DER: no algorithm (the operator chooses one)", () => {
    for (const input of [rsa.publicKeyPem, new Uint8Array(rsa.spkiDer)]) {
      expect(inspectEabPublicKey(input)).toMatchObject({
        kind: "publicKey",
        keyType: "rsa",
        keyDescription: "RSA 2048 bits",
        fingerprint: rsa.spkiFingerprint,
        signatureAlgorithm: null,
      });
    }
  });

  it("ok/a certificate its issuer signed with an algorithm its own key cannot make: no algorithm", async () => {
    const cert = await eabCertificate(rsa, ec);
    expect(inspectEabPublicKey(cert.pem)).toMatchObject({
      kind: "certificate",
      keyType: "rsa",
      signatureAlgorithm: null,
    });
  });

  it("fail/a private key, another PEM block, garbage, a weak key, a PEM over 4096 characters", async () => {
    const privatePem = ec.privateKey.export({ type: "pkcs8", format: "pem" }) as string;
    expect(refusal(() => inspectEabPublicKey(privatePem))).toEqual({
      field: "publicKey",
      reason:
        "This is a private key: upload the certificate or public key only, and keep the private key secret",
    });
    const pkcs1 = rsa.privateKey.export({ type: "pkcs1", format: "pem" }) as string;
    expect(refusal(() => inspectEabPublicKey(pkcs1)).reason).toMatch(/private key/);
    const csr = "-----BEGIN CERTIFICATE REQUEST-----\nMIIB\n-----END CERTIFICATE REQUEST-----";
    expect(refusal(() => inspectEabPublicKey(csr)).reason).toMatch(
      /"CERTIFICATE REQUEST" PEM block is not accepted/,
    );
    expect(refusal(() => inspectEabPublicKey(new Uint8Array(randomBytes(64)), "publicKeyFile"))).toEqual({
      field: "publicKeyFile",
      reason: "The file is neither an X.509 certificate nor a public key, in PEM or DER",
    });
    const brokenCert = "-----BEGIN CERTIFICATE-----\nMIIBAAAA\n-----END CERTIFICATE-----";
    expect(refusal(() => inspectEabPublicKey(brokenCert)).reason).toMatch(/certificate cannot be read/);
    const weak = generateKeyPairSync("rsa", { modulusLength: 1024 }).publicKey.export({
      type: "spki",
      format: "pem",
    });
    expect(refusal(() => inspectEabPublicKey(weak as string)).reason).toMatch(
      /2048 to 8192 bits, this one has 1024/,
    );
    const p192 = generateKeyPairSync("ec", { namedCurve: "prime192v1" }).publicKey.export({
      type: "spki",
      format: "pem",
    });
    expect(refusal(() => inspectEabPublicKey(p192 as string)).reason).toMatch(
      /curve prime192v1 is not allowed/,
    );
    const big = await eabCertificate(rsa, rsa, { extraNames: 40 });
    expect(big.pem.length).toBeGreaterThan(4096);
    expect(refusal(() => inspectEabPublicKey(new Uint8Array(big.der), "publicKeyFile")).reason).toMatch(
      /As PEM this is \d+ characters; at most 4096 are accepted/,
    );
  });
});
