// lib/ca — is the certificate an ACME client presented one Keyward trusts? (spec "ACME with Client
// Authentication": "a valid client certificate"; issue 11.) The certificate arrives from the
// mutual-TLS listener (the TLS handshake proved the client holds its key) or from a trusted
// proxy's header (the proxy proved it); either way it is checked here the same way, and the
// result is a ClientCertificateCheck that only this module makes. What it checks, after RFC 5280:
//
//   1. readable   the DER parses as an X.509 certificate
//   2. purpose    an end-entity certificate (§4.2.1.9: cA not set) whose extended key usage, if
//                 present, allows TLS client authentication (§4.2.1.12: "the certificate MUST
//                 only be used for one of the purposes indicated")
//   3. validity   notBefore ≤ now ≤ notAfter (§4.1.2.5), for every certificate of the path
//   4. path       each certificate issued (name, key identifier, keyCertSign: OpenSSL's
//                 X509_check_issued through node:crypto) and signed by the next, through CA
//                 certificates the client sent, to one of the configured trust anchors (§6.1)
//   5. revocation for a certificate Keyward's own CAs issued, its status in the Certificate
//                 table (what the CRL says); Keyward fetches no CRL or OCSP for other issuers
//
// Keyward does not require the certificate to be stored anywhere (the spec: "must not require
// the client certificate to be stored on the RA").
import { X509Certificate as NodeCertificate } from "node:crypto";
import { X509Certificate } from "@/lib/crypto/x509";
import type { Db } from "@/lib/db/client";
import { certificatesFromPem, sha256Hex } from "./pem";

export type ClientCertificateRefusal =
  | "unreadable"
  | "not-for-client-authentication"
  | "not-yet-valid"
  | "expired"
  | "untrusted"
  | "revoked";

declare const verified: unique symbol;

/** A client certificate that passed every check above (made only by verifyClientCertificate). */
export type VerifiedClientCertificate = {
  readonly [verified]: true;
  /** Lowercase hex SHA-256 of the DER: what an access rule for an uploaded certificate names. */
  readonly sha256: string;
  /** RFC 4514, as lib/crypto/x509 prints names. */
  readonly subjectDn: string;
  readonly issuerDn: string;
  readonly serialHex: string;
  readonly notAfter: Date;
  /** The trust anchor the path ends at. */
  readonly anchorSubjectDn: string;
  /** How it reached Keyward: the TLS handshake of the mutual-TLS port, or a trusted proxy. */
  readonly via: "tls" | "proxy";
};

/** What the front end hands to lib/ra about a request's client certificate. */
export type ClientCertificateCheck =
  | { readonly status: "verified"; readonly certificate: VerifiedClientCertificate }
  | {
      readonly status: "refused";
      readonly reason: ClientCertificateRefusal;
      /** For the request log and the operator, never for the client (the spec fixes its message). */
      readonly detail: string;
      readonly subjectDn?: string;
    };

// RFC 5280 §4.2.1.12 and §4.2.1.12's anyExtendedKeyUsage.
const CLIENT_AUTH_OID = "1.3.6.1.5.5.7.3.2";
const ANY_EXTENDED_KEY_USAGE_OID = "2.5.29.37.0";
// Longer paths than this are not client-certificate hierarchies but an attempt to make us work.
const MAX_PATH_CERTIFICATES = 6;
// What a client may send along with its certificate.
const MAX_PRESENTED_CERTIFICATES = 10;

type Parsed = { sha256: string; node: NodeCertificate; x509: X509Certificate };

// Parsed anchors by SHA-256: anchors change rarely and parsing costs more than the checks.
const parsedAnchors = new Map<string, Parsed>();

function parse(bytes: Uint8Array): Parsed {
  const der = new Uint8Array(bytes);
  return { sha256: sha256Hex(der), node: new NodeCertificate(der), x509: new X509Certificate(der) };
}

function parseAnchor(der: Uint8Array): Parsed {
  const sha256 = sha256Hex(der);
  let anchor = parsedAnchors.get(sha256);
  if (!anchor) {
    anchor = parse(der);
    if (parsedAnchors.size > 1000) parsedAnchors.clear();
    parsedAnchors.set(sha256, anchor);
  }
  return anchor;
}

/**
 * The certificates of a trusted proxy's X-SSL-Client-Cert header: URL-encoded PEM (nginx
 * `$ssl_client_escaped_cert`), the client's certificate first, possibly followed by CA
 * certificates. Null when the value is not that.
 */
export function certificatesFromProxyHeader(value: string): Uint8Array[] | null {
  let text: string;
  try {
    text = decodeURIComponent(value);
  } catch {
    return null;
  }
  return certificatesFromPem(text);
}

/**
 * Checks a presented chain (the client's certificate first, then any CA certificates it sent)
 * against the trust anchors, validity and Keyward's revocation records, as numbered above.
 */
export async function verifyClientCertificate(
  db: Db,
  presented: readonly Uint8Array[],
  o: { via: "tls" | "proxy"; now?: Date },
): Promise<ClientCertificateCheck> {
  const now = o.now ?? new Date();
  const refuse = (
    reason: ClientCertificateRefusal,
    detail: string,
    subjectDn?: string,
  ): ClientCertificateCheck => ({
    status: "refused",
    reason,
    detail,
    subjectDn,
  });

  // 1. readable
  let leaf: Parsed;
  let offered: Parsed[];
  try {
    if (presented.length === 0) return refuse("unreadable", "no certificate was presented");
    leaf = parse(presented[0] as Uint8Array);
    offered = presented.slice(1, MAX_PRESENTED_CERTIFICATES).map(parse);
  } catch {
    return refuse("unreadable", "the certificate is not a readable X.509 certificate");
  }
  const subjectDn = leaf.x509.subject;

  // 2. purpose
  if (leaf.node.ca)
    return refuse("not-for-client-authentication", "a CA certificate is not a client certificate", subjectDn);
  const extendedKeyUsage = leaf.node.keyUsage;
  if (
    extendedKeyUsage !== undefined &&
    !extendedKeyUsage.includes(CLIENT_AUTH_OID) &&
    !extendedKeyUsage.includes(ANY_EXTENDED_KEY_USAGE_OID)
  ) {
    return refuse(
      "not-for-client-authentication",
      `its extended key usage (${extendedKeyUsage.join(", ")}) does not include clientAuth`,
      subjectDn,
    );
  }

  // 3. validity (of the client's certificate; CA certificates below, as the path is built)
  const validity = validityProblem(leaf, now);
  if (validity) return refuse(validity.reason, validity.detail, subjectDn);

  // 4. path
  const [anchorRows, keywardCas] = await Promise.all([
    db.clientTrustAnchor.findMany({ select: { der: true } }),
    db.certificateAuthority.findMany({ select: { id: true, certificateDer: true } }),
  ]);
  const anchors = anchorRows.map((row) => parseAnchor(new Uint8Array(row.der)));
  const path: Parsed[] = [leaf];
  let anchor: Parsed | undefined;
  while (!anchor) {
    const current = path.at(-1) as Parsed;
    // Of anchors that issued it (a renewed CA certificate keeps name and key), a valid one.
    const issuers = anchors.filter((a) => issuedBy(current, a));
    anchor = issuers.find((a) => validityProblem(a, now) === null) ?? issuers[0];
    if (anchor) break;
    if (path.length >= MAX_PATH_CERTIFICATES) break;
    const next = offered.find((c) => c.node.ca && !path.includes(c) && issuedBy(current, c));
    if (!next) break;
    const problem = validityProblem(next, now);
    if (problem)
      return refuse(problem.reason, `CA certificate "${next.x509.subject}": ${problem.detail}`, subjectDn);
    path.push(next);
  }
  if (!anchor) {
    return refuse("untrusted", `no trust anchor issued "${path.at(-1)?.x509.issuer}"`, subjectDn);
  }
  const anchorValidity = validityProblem(anchor, now);
  if (anchorValidity) {
    return refuse(
      "untrusted",
      `the trust anchor "${anchor.x509.subject}": ${anchorValidity.detail}`,
      subjectDn,
    );
  }

  // 5. revocation, for what Keyward's own CAs issued
  const keywardCaIdBySha256 = new Map(
    keywardCas.map((ca) => [sha256Hex(new Uint8Array(ca.certificateDer)), ca.id]),
  );
  const links = path.map((certificate, i) => ({ certificate, issuer: path[i + 1] ?? (anchor as Parsed) }));
  for (const { certificate, issuer } of links) {
    const caId = keywardCaIdBySha256.get(issuer.sha256);
    if (!caId) continue;
    const row = await db.certificate.findUnique({
      where: { serialHex: certificate.node.serialNumber.toLowerCase() },
      select: { issuerId: true, status: true },
    });
    if (row?.issuerId === caId && row.status === "revoked") {
      return refuse("revoked", `"${certificate.x509.subject}" has been revoked`, subjectDn);
    }
  }

  return {
    status: "verified",
    certificate: {
      sha256: leaf.sha256,
      subjectDn,
      issuerDn: leaf.x509.issuer,
      serialHex: leaf.node.serialNumber.toLowerCase(),
      notAfter: leaf.x509.notAfter,
      anchorSubjectDn: anchor.x509.subject,
      via: o.via,
    } as VerifiedClientCertificate,
  };
}

/** `issuer` issued `subject` (name, key identifier, key usage) and its key verifies the signature. */
function issuedBy(subject: Parsed, issuer: Parsed): boolean {
  try {
    return subject.node.checkIssued(issuer.node) && subject.node.verify(issuer.node.publicKey);
  } catch {
    return false;
  }
}

function validityProblem(
  certificate: Parsed,
  now: Date,
): { reason: "expired" | "not-yet-valid"; detail: string } | null {
  if (now < certificate.x509.notBefore) {
    return {
      reason: "not-yet-valid",
      detail: `not valid before ${certificate.x509.notBefore.toISOString()}`,
    };
  }
  if (now > certificate.x509.notAfter) {
    return { reason: "expired", detail: `expired at ${certificate.x509.notAfter.toISOString()}` };
  }
  return null;
}
