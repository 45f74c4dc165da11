// lib/ca — the chain above an imported CA whose issuer is outside Keyward (issue 12 item 1): the
// operator uploads the external intermediates up to the external root as one PEM bundle, and it
// is verified here before it is stored (lib/ca/management.ts) and served after the CA's own
// certificate (lib/ca/chains.ts). Pure: certificates in, DER out or an invalidParams problem
// naming the certificate at fault.
import { X509Certificate as NodeX509Certificate } from "node:crypto";
import { BasicConstraintsExtension, X509Certificate } from "@/lib/crypto/x509";
import { invalidParamsProblem } from "@/lib/problem";
import { certificatesFromPem } from "./pem";

/** The field name the console, the API and the CLI use for the bundle. */
export const EXTERNAL_CHAIN_FIELD = "externalChain";
// Public hierarchies are two or three deep above an issuing CA; the bound stops a hostile bundle.
export const MAX_EXTERNAL_CHAIN_LENGTH = 8;

const problem = (reason: string) => invalidParamsProblem([{ name: EXTERNAL_CHAIN_FIELD, reason }]);

function describe(certificate: NodeX509Certificate, position: number): string {
  return `certificate ${position} (${certificate.subject.replace(/\n/g, ", ")})`;
}

/** Whether `issuer` signed `subject`: issuer name matches and the signature verifies (RFC 5280 §6.1.3 (a)(1), (a)(4)). */
function signs(issuer: NodeX509Certificate, subject: NodeX509Certificate): boolean {
  return subject.checkIssued(issuer) && subject.verify(issuer.publicKey);
}

/**
 * Verifies the external chain of the CA certificate `caDer` and returns its certificates' DER,
 * the CA's issuer first and the self-signed root last. RFC 5280 §6.1 path validation, as far as a
 * CA chain needs it:
 *   1. one to MAX_EXTERNAL_CHAIN_LENGTH PEM certificates;
 *   2. each signs the one before it, the first the imported CA itself (§6.1.3 (a)(1), (a)(4)):
 *      a bundle in another order is refused, naming where the order breaks;
 *   3. the last is a self-signed root;
 *   4. each is a CA certificate (§4.2.1.9 basicConstraints cA), with room in its
 *      pathLenConstraint for the CAs below it (the imported CA counts: it issues leaves);
 *   5. each is valid at `now` (§6.1.3 (a)(2)).
 */
export function verifyExternalChain(
  caDer: Uint8Array,
  bundle: string,
  now: Date = new Date(),
): Uint8Array<ArrayBuffer>[] {
  // 1.
  const ders = bundle.includes("-----BEGIN") ? certificatesFromPem(bundle) : null;
  if (!ders) {
    throw problem(
      "Give the issuer's chain as PEM certificates (-----BEGIN CERTIFICATE-----), the CA's issuer first, up to the root",
    );
  }
  if (ders.length > MAX_EXTERNAL_CHAIN_LENGTH) {
    throw problem(`At most ${MAX_EXTERNAL_CHAIN_LENGTH} certificates; this bundle has ${ders.length}`);
  }
  const ca = new NodeX509Certificate(Buffer.from(caDer));
  const chain: NodeX509Certificate[] = [];
  for (const [i, der] of ders.entries()) {
    try {
      chain.push(new NodeX509Certificate(Buffer.from(der)));
    } catch {
      throw problem(`Certificate ${i + 1} of the bundle is not an X.509 certificate`);
    }
  }
  // 2.
  for (const [i, issuer] of chain.entries()) {
    const subject = i === 0 ? ca : (chain[i - 1] as NodeX509Certificate);
    if (signs(issuer, subject)) continue;
    const below = i === 0 ? "the imported CA" : describe(subject, i);
    const actual = chain.findIndex((other) => other !== subject && signs(other, subject));
    throw problem(
      actual >= 0
        ? `${describe(issuer, i + 1)} did not sign ${below}; ${describe(chain[actual] as NodeX509Certificate, actual + 1)} did: give the certificates in order, the CA's issuer first, up to the root`
        : `${describe(issuer, i + 1)} did not sign ${below} (its subject and key are not the issuer's); give the certificates in order, the CA's issuer first, up to the root`,
    );
  }
  // 3.
  const top = chain[chain.length - 1] as NodeX509Certificate;
  if (!signs(top, top)) {
    throw problem(
      `The chain ends at ${describe(top, chain.length)}, which is not a self-signed root: add the certificates up to the root`,
    );
  }
  for (const [i, der] of ders.entries()) {
    const certificate = chain[i] as NodeX509Certificate;
    // 4.
    const basic = new X509Certificate(der).getExtension(BasicConstraintsExtension);
    if (!basic?.ca) {
      throw problem(
        `${describe(certificate, i + 1)} is not a CA certificate (basicConstraints cA is not set)`,
      );
    }
    // §4.2.1.9: pathLenConstraint counts the non-self-issued intermediates that may follow it
    // (the root's too, as OpenSSL enforces it).
    const cAsBelow = i + 1;
    if (basic.pathLength !== undefined && basic.pathLength < cAsBelow) {
      throw problem(
        `${describe(certificate, i + 1)} allows ${basic.pathLength} CA certificate${basic.pathLength === 1 ? "" : "s"} below it (pathLenConstraint); this chain has ${cAsBelow}`,
      );
    }
    // 5.
    if (now.getTime() < new Date(certificate.validFrom).getTime()) {
      throw problem(`${describe(certificate, i + 1)} is not valid yet (from ${certificate.validFrom})`);
    }
    if (now.getTime() > new Date(certificate.validTo).getTime()) {
      throw problem(`${describe(certificate, i + 1)} has expired (${certificate.validTo})`);
    }
  }
  return ders;
}
