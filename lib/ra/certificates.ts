// Certificates after issuance: download as a PEM chain (RFC 8555 §7.4.2) and revocation
// (§7.6) by the owning account, by an account that holds valid authorizations for every name,
// or with the certificate's own key. Revocation is a conditional update, so a certificate is
// revoked once; the CA's CRL is then regenerated.
import { X509Certificate } from "node:crypto";
import { generateCrl } from "@/lib/ca/crl";
import { spkiSha256OfJwk } from "@/lib/ca/csr";
import { derToPem } from "@/lib/ca/pem";
import type { AccountJwk } from "@/lib/crypto/jwk";
import type { Db } from "@/lib/db/client";
import { countCertificateRevoked } from "@/lib/observability/metrics";
import { AcmeProblem } from "@/lib/problem";
import type { AccountRecord } from "./accounts";
import { toAuthorizationIdentifier } from "./identifiers";
import { moveWithAudit } from "./moves";

/** RFC 5280 §5.3.1 reasons a subscriber may give (as Boulder allows); others → badRevocationReason. */
export const ALLOWED_REVOCATION_REASONS: Record<number, string> = {
  0: "unspecified",
  1: "keyCompromise",
  3: "affiliationChanged",
  4: "superseded",
  5: "cessationOfOperation",
};

export async function getCertificateChainForAccount(db: Db, id: string, accountId: string): Promise<string> {
  const row = await db.certificate.findUnique({
    where: { id },
    include: { issuer: { select: { certificateDer: true } } },
  });
  if (!row || row.accountId !== accountId) throw AcmeProblem.notFound("Certificate");
  // §9.1 application/pem-certificate-chain: the end-entity certificate first, then its issuer.
  return derToPem(row.der) + derToPem(row.issuer.certificateDer);
}

export type RevocationRequester =
  | { account: AccountRecord; jwk?: undefined }
  | { jwk: AccountJwk; account?: undefined };

export async function revokeCertificate(
  db: Db,
  o: {
    /** The alias the request came through (the metrics' label). */
    alias: string;
    certificate: string;
    reason?: number;
    requester: RevocationRequester;
    now: Date;
    ip?: string;
  },
): Promise<void> {
  const reason = o.reason ?? 0;
  if (!(reason in ALLOWED_REVOCATION_REASONS)) {
    throw new AcmeProblem(
      "badRevocationReason",
      `Revocation reason ${reason} is not allowed; use one of ${Object.entries(ALLOWED_REVOCATION_REASONS)
        .map(([k, v]) => `${k} (${v})`)
        .join(", ")}`,
    );
  }
  let der: Buffer;
  let serialHex: string;
  try {
    der = Buffer.from(o.certificate, "base64url");
    serialHex = new X509Certificate(der).serialNumber.toLowerCase();
  } catch {
    throw AcmeProblem.malformed("certificate is not a base64url-encoded DER certificate");
  }
  const row = await db.certificate.findUnique({ where: { serialHex } });
  if (!row || !Buffer.from(row.der).equals(der))
    throw AcmeProblem.notFound("Certificate (it was not issued by this CA)");

  await assertMayRevoke(db, row, o.requester, o.now);
  if (row.status === "revoked")
    throw new AcmeProblem("alreadyRevoked", "The certificate has already been revoked");

  const actor = o.requester.account ? (`account:${o.requester.account.id}` as const) : ("system" as const);
  await moveWithAudit(
    db,
    (tx) =>
      tx.certificate.updateMany({
        where: { id: row.id, status: "valid" },
        data: { status: "revoked", revokedAt: o.now, revocationReason: reason },
      }),
    {
      lost: () => new AcmeProblem("alreadyRevoked", "The certificate has already been revoked"),
      audit: {
        actor,
        action: "certificate.revoked",
        targetType: "certificate",
        targetId: row.id,
        details: {
          reason,
          reasonName: ALLOWED_REVOCATION_REASONS[reason],
          by: o.requester.account ? "account" : "certificate key",
        },
        ip: o.ip,
      },
    },
  );
  countCertificateRevoked({ alias: o.alias, reason: ALLOWED_REVOCATION_REASONS[reason] ?? String(reason) });
  // The CRL follows the revocation at once; if this fails the scheduled refresh catches up.
  await generateCrl(db, row.issuerId).catch((err: unknown) =>
    console.error("[ra] CRL refresh after revocation failed:", err),
  );
}

async function assertMayRevoke(
  db: Db,
  cert: { accountId: string; names: string[]; spkiSha256: string },
  requester: RevocationRequester,
  now: Date,
): Promise<void> {
  // §7.6: signed with the certificate's own key (jwk).
  if (requester.jwk) {
    if (spkiSha256OfJwk(requester.jwk) === cert.spkiSha256) return;
    throw AcmeProblem.unauthorized("The request is not signed by the certificate's key");
  }
  // §7.6: by the account that ordered it...
  if (requester.account.id === cert.accountId) return;
  // ...or by an account holding valid authorizations for every name in it.
  for (const name of cert.names) {
    const [type, value] = [name.slice(0, name.indexOf(":")), name.slice(name.indexOf(":") + 1)];
    const identifier = toAuthorizationIdentifier({ type: type as "dns" | "ip", value });
    const held = await db.authorization.count({
      where: {
        accountId: requester.account.id,
        identifierType: identifier.type,
        identifierValue: identifier.value,
        wildcard: identifier.wildcard,
        status: "valid",
        expiresAt: { gt: now },
      },
    });
    if (held === 0)
      throw AcmeProblem.unauthorized(
        `The account neither owns this certificate nor holds a valid authorization for ${value}`,
      );
  }
}
