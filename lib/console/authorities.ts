// Keyward's certificate authorities as the console lists them (read-only until CA management
// arrives): subject, role, validity, key, fingerprint, and downloads of each certificate and its
// chain up to the root. Public material only.
import { assertPermission, type ConsoleActor } from "@/lib/auth/actor";
import { getPublicCaCertificates, type PublicCaCertificate } from "@/lib/ca/authorities";
import { type DecodedCertificate, decodeCertificate } from "@/lib/ca/certificate-details";
import { db } from "@/lib/db/client";
import { notFoundProblem } from "@/lib/problem";
import type { CertificateFile } from "./certificates";

export type CertificateAuthorityView = {
  id: string;
  name: string;
  role: string;
  subjectDn: string;
  issuerDn: string;
  serialHex: string;
  notBefore: string;
  notAfter: string;
  publicKey: string;
  sha256Fingerprint: string;
  /** Names of the CAs above this one, nearest first; empty for a root. */
  issuedBy: string[];
  /** The CRL relying parties fetch for certificates this CA issued. */
  crlPath: string;
};

type Loaded = { ca: PublicCaCertificate; decoded: DecodedCertificate };

// A hierarchy is a handful of CAs; the bound stops a loop of cross-signed names.
const MAX_CHAIN_LENGTH = 8;

async function loadAll(): Promise<Loaded[]> {
  const cas = await getPublicCaCertificates(db());
  return cas.map((ca) => ({ ca, decoded: decodeCertificate(ca.der) }));
}

/** `ca` and the CAs above it, found by issuer name, up to a self-signed root. */
function chainOf(start: Loaded, all: Loaded[]): Loaded[] {
  const chain = [start];
  let current = start;
  while (current.decoded.issuer !== current.decoded.subject && chain.length < MAX_CHAIN_LENGTH) {
    const parent = all.find((c) => c.decoded.subject === current.decoded.issuer && !chain.includes(c));
    if (!parent) break;
    chain.push(parent);
    current = parent;
  }
  return chain;
}

export async function listCertificateAuthorities(o: {
  actor: ConsoleActor;
}): Promise<CertificateAuthorityView[]> {
  assertPermission(o.actor, "console.read");
  const all = await loadAll();
  return all.map((entry) => ({
    id: entry.ca.id,
    name: entry.ca.name,
    role: entry.ca.role,
    subjectDn: entry.decoded.subject,
    issuerDn: entry.decoded.issuer,
    serialHex: entry.ca.serialHex,
    notBefore: entry.ca.notBefore.toISOString(),
    notAfter: entry.ca.notAfter.toISOString(),
    publicKey: entry.decoded.publicKey,
    sha256Fingerprint: entry.decoded.sha256Fingerprint,
    issuedBy: chainOf(entry, all)
      .slice(1)
      .map((c) => c.ca.name),
    crlPath: `/ca/crl/${entry.ca.id}`,
  }));
}

export async function downloadCertificateAuthority(o: {
  actor: ConsoleActor;
  id: string;
  format: "pem" | "chain" | "der";
}): Promise<CertificateFile> {
  assertPermission(o.actor, "console.read");
  const all = await loadAll();
  const entry = all.find((c) => c.ca.id === o.id);
  if (!entry) throw notFoundProblem(`Certificate authority "${o.id}"`);
  const base = entry.ca.name.replace(/[^A-Za-z0-9._-]+/g, "-") || "ca";
  if (o.format === "der")
    return {
      filename: `${base}.der`,
      contentType: "application/pkix-cert",
      body: new Uint8Array(entry.ca.der),
    };
  if (o.format === "chain")
    return {
      filename: `${base}-chain.pem`,
      contentType: "application/pem-certificate-chain",
      body: chainOf(entry, all)
        .map((c) => c.ca.pem)
        .join(""),
    };
  return { filename: `${base}.pem`, contentType: "application/x-pem-file", body: entry.ca.pem };
}
