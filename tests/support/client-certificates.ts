// Client certificates for tests of ACME with client authentication, made by Keyward's own issuing
// CA (unsealed with the master key in the data directory of the server under test) or by a CA of
// the test's own, and HTTP(S) requests that present them, from a chosen source address.
import fs from "node:fs";
import http from "node:http";
import https from "node:https";
import path from "node:path";
import * as jose from "jose";
import { loadCertificateAuthorities } from "@/lib/ca/authorities";
import {
  type CaSigner,
  createRootCertificate,
  encodeCertificatePem,
  signCertificate,
} from "@/lib/ca/ca-certificates";
import { spkiSha256Of } from "@/lib/ca/csr";
import { encodePkcs8Pem, exportPrivateKeyPkcs8, exportPublicKeySpki, generateKeyPair } from "@/lib/ca/keys";
import { SecretBox } from "@/lib/crypto/secret-box";
import {
  BasicConstraintsExtension,
  ExtendedKeyUsage,
  ExtendedKeyUsageExtension,
  KeyUsageFlags,
  KeyUsagesExtension,
  Name,
  SubjectKeyIdentifierExtension,
} from "@/lib/crypto/x509";
import type { Db } from "@/lib/db/client";
import type { TestKey } from "./acme-signer";

export type IssuingCaForTests = {
  id: string;
  name: string;
  subjectDn: string;
  signer: CaSigner;
  pem: string;
};

/** Keyward's issuing CA, unsealed with the server's master key (its data directory). */
export async function keywardIssuingCa(database: Db, dataDir: string): Promise<IssuingCaForTests> {
  const key = Buffer.from(fs.readFileSync(path.join(dataDir, "master.key"), "utf8").trim(), "base64");
  const { issuing } = await loadCertificateAuthorities(database, { box: new SecretBox(key) });
  return {
    id: issuing.id,
    name: issuing.name,
    subjectDn: issuing.subjectDn,
    signer: issuing.signer,
    pem: issuing.pem,
  };
}

/** A self-signed CA of the test's own (untrusted until imported as a trust anchor). */
export async function createTestCa(caName: string): Promise<IssuingCaForTests> {
  const keys = await generateKeyPair("ECDSA-P256");
  const root = await createRootCertificate({ caName, keys, now: new Date() });
  return {
    id: caName,
    name: caName,
    subjectDn: root.certificate.subject,
    signer: { certificate: root.certificate, keyAlgorithm: "ECDSA-P256", privateKey: keys.privateKey },
    pem: encodeCertificatePem(root.certificate),
  };
}

/** A CA certified by `parent` (a client sends it along with its certificate). */
export async function createIntermediateCa(
  parent: IssuingCaForTests,
  caName: string,
): Promise<IssuingCaForTests> {
  const keys = await generateKeyPair("ECDSA-P256");
  const certificate = await signCertificate(parent.signer, {
    subject: new Name([{ CN: [{ utf8String: caName }] }]),
    subjectPublicKey: keys.publicKey,
    notBefore: new Date(Date.now() - 60_000),
    notAfter: new Date(Date.now() + 30 * 86_400_000),
    extensions: [
      new BasicConstraintsExtension(true, 0, true),
      new KeyUsagesExtension(KeyUsageFlags.keyCertSign | KeyUsageFlags.cRLSign, true),
      await SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return {
    id: caName,
    name: caName,
    subjectDn: certificate.subject,
    signer: { certificate, keyAlgorithm: "ECDSA-P256", privateKey: keys.privateKey },
    pem: encodeCertificatePem(certificate),
  };
}

export type ClientCredential = {
  /** The certificate, PEM. */
  cert: string;
  /** Its private key, PKCS#8 PEM, for a TLS client. */
  key: string;
  der: Uint8Array<ArrayBuffer>;
  serialHex: string;
  subjectDn: string;
  /** The same key as an ACME JWS signer (revocation signed by the certificate's key, RFC 8555 §7.6). */
  signer: TestKey;
  spkiSha256: string;
  notBefore: Date;
  notAfter: Date;
};

const DAY_MS = 86_400_000;

/** A TLS client certificate signed by `ca`: clientAuth, valid for a day, unless told otherwise. */
export async function issueClientCertificate(
  ca: IssuingCaForTests,
  o: { commonName: string; notBefore?: Date; notAfter?: Date; extendedKeyUsage?: string[] },
): Promise<ClientCredential> {
  const keys = await generateKeyPair("ECDSA-P256");
  const notBefore = o.notBefore ?? new Date(Date.now() - 60_000);
  const notAfter = o.notAfter ?? new Date(Date.now() + DAY_MS);
  const certificate = await signCertificate(ca.signer, {
    subject: new Name([{ CN: [{ utf8String: o.commonName }] }, { O: [{ utf8String: "Keyward tests" }] }]),
    subjectPublicKey: keys.publicKey,
    notBefore,
    notAfter,
    extensions: [
      new BasicConstraintsExtension(false, undefined, true),
      new KeyUsagesExtension(KeyUsageFlags.digitalSignature, true),
      new ExtendedKeyUsageExtension(o.extendedKeyUsage ?? [ExtendedKeyUsage.clientAuth], false),
    ],
  });
  const publicJwk = await jose.exportJWK(keys.publicKey);
  return {
    cert: encodeCertificatePem(certificate),
    key: encodePkcs8Pem(await exportPrivateKeyPkcs8(keys.privateKey)),
    der: new Uint8Array(certificate.rawData),
    serialHex: certificate.serialNumber.toLowerCase(),
    subjectDn: certificate.subject,
    signer: { alg: "ES256", privateKey: keys.privateKey, jwk: publicJwk },
    spkiSha256: spkiSha256Of(await exportPublicKeySpki(keys.publicKey)),
    notBefore: certificate.notBefore,
    notAfter: certificate.notAfter,
  };
}

/**
 * Stores a client certificate the way Keyward stores what it issued (the Certificate table, under
 * an account of `aliasId`), so that Keyward can revoke it and checks its status.
 */
export async function recordIssuedCertificate(
  database: Db,
  o: { credential: ClientCredential; issuerId: string; aliasId: string },
): Promise<void> {
  const account = await database.account.create({
    data: {
      id: `acct-${o.credential.serialHex.slice(0, 16)}`,
      aliasId: o.aliasId,
      jwk: o.credential.signer.jwk as object,
      keyThumbprint: await jose.calculateJwkThumbprint(o.credential.signer.jwk),
    },
  });
  await database.certificate.create({
    data: {
      id: `cert-${o.credential.serialHex.slice(0, 16)}`,
      serialHex: o.credential.serialHex,
      accountId: account.id,
      issuerId: o.issuerId,
      der: o.credential.der,
      subjectDn: o.credential.subjectDn,
      names: [],
      spkiSha256: o.credential.spkiSha256,
      keyAlgorithm: "ECDSA-P256",
      notBefore: o.credential.notBefore,
      notAfter: o.credential.notAfter,
    },
  });
}

export type RequestOptions = {
  /** Trusted CA certificates for the server's TLS certificate. */
  ca?: string | Buffer;
  /** The client certificate to present in the TLS handshake. */
  credential?: Pick<ClientCredential, "cert" | "key">;
  /** Source address of the connection (e.g. the trusted proxy address 127.0.0.2). */
  localAddress?: string;
};

type Init = { method?: string; headers?: Record<string, string>; body?: string };

/**
 * fetch over node:http(s), with what fetch cannot do: a client certificate and a source address.
 * A fresh connection per request (agent: false), so that no TLS session carries a certificate
 * from one request to the next.
 */
export function requestWith(o: RequestOptions) {
  return (url: string, init: Init = {}): Promise<Response> =>
    new Promise((resolve, reject) => {
      const target = new URL(url);
      const options: https.RequestOptions = {
        method: init.method ?? "GET",
        headers:
          init.body === undefined
            ? init.headers
            : { ...init.headers, "content-length": String(Buffer.byteLength(init.body)) },
        agent: false,
        localAddress: o.localAddress,
        ...(target.protocol === "https:"
          ? { ca: o.ca, cert: o.credential?.cert, key: o.credential?.key }
          : {}),
      };
      const req = (target.protocol === "https:" ? https : http).request(target, options, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => {
          const headers = new Headers();
          for (const [name, value] of Object.entries(res.headers)) {
            for (const v of Array.isArray(value) ? value : value === undefined ? [] : [value])
              headers.append(name, v);
          }
          const status = res.statusCode ?? 0;
          const noBody = options.method === "HEAD" || status === 204 || status === 304;
          resolve(new Response(noBody ? null : Buffer.concat(chunks), { status, headers }));
        });
        res.on("error", reject);
      });
      req.on("error", reject);
      req.end(init.body);
    });
}
