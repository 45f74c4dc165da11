// Certificates after issuance: download as a PEM chain (RFC 8555 §7.4.2) and revocation
// (§7.6) by the owning account, by an account that holds valid authorizations for every name,
// or with the certificate's own key; and by an operator from the console, API or CLI. Revocation
// is one conditional update for all of them, so a certificate is revoked once; the CA's CRL is
// then regenerated.
import { X509Certificate } from "node:crypto";
import type { AuditActor } from "@/lib/audit/record";
import { DEFAULT_PREFERRED_ROOT, selectChains, servedChainsOfCa } from "@/lib/ca/chains";
import { generateCrl } from "@/lib/ca/crl";
import { spkiSha256OfJwk } from "@/lib/ca/csr";
import { derToPem } from "@/lib/ca/pem";
import type { AccountJwk } from "@/lib/crypto/jwk";
import type { Db } from "@/lib/db/client";
import { countCertificateRevoked } from "@/lib/observability/metrics";
import { AcmeProblem, notFoundProblem } from "@/lib/problem";
import type { AccountRecord } from "./accounts";
import { toAuthorizationIdentifier } from "./identifiers";
import { moveWithAudit } from "./moves";
import { crlReasonName, OPERATOR_REVOCATION_REASON_CODES } from "./revocation-reasons";

/** RFC 5280 §5.3.1 reasons a subscriber may give (as Boulder allows); others → badRevocationReason. */
export const ALLOWED_REVOCATION_REASONS: Record<number, string> = {
  0: "unspecified",
  1: "keyCompromise",
  3: "affiliationChanged",
  4: "superseded",
  5: "cessationOfOperation",
};

/**
 * A certificate's PEM chain for its account (RFC 8555 §7.4.2, §9.1: the end-entity certificate
 * first, then the CAs above it, root excluded) and the indexes of the other chains to link as
 * alternates. `chain` is the index in an alternate URL (cert/<id>/<n>); without it, the chain the
 * alias's preferred root CA setting picks is served.
 */
export async function getCertificateChainForAccount(
  db: Db,
  id: string,
  accountId: string,
  o: { chain?: string; preferredRootCaSubjectDn?: string } = {},
): Promise<{ pem: string; alternates: number[] }> {
  const row = await db.certificate.findUnique({
    where: { id },
    select: { accountId: true, der: true, issuerId: true },
  });
  if (!row || row.accountId !== accountId) throw AcmeProblem.notFound("Certificate");
  const chains = await servedChainsOfCa(db, row.issuerId);
  const { served, alternates, pinned } = selectChains(
    chains,
    o.preferredRootCaSubjectDn ?? DEFAULT_PREFERRED_ROOT,
  );
  let chain = served;
  if (o.chain !== undefined) {
    const index = /^[1-9][0-9]{0,3}$/.test(o.chain) ? Number(o.chain) : Number.NaN;
    // Spec "Preferred Root CA subject DN": a mandated chain is the only one served.
    chain = pinned ? undefined : chains.find((c) => c.index === index && index > 0);
    if (!chain) throw AcmeProblem.notFound("Certificate chain");
  }
  if (!chain) throw AcmeProblem.serverInternal("The certificate's issuing CA has no chain");
  const others = pinned ? [] : [chains[0], ...alternates].filter((c) => c && c.index !== chain.index);
  return {
    pem: derToPem(row.der) + chain.certificates.map((der) => derToPem(der)).join(""),
    alternates: others.map((c) => (c as { index: number }).index),
  };
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

  await markCertificateRevoked(db, {
    alias: o.alias,
    certificate: row,
    reason,
    now: o.now,
    audit: {
      actor: o.requester.account ? `account:${o.requester.account.id}` : "system",
      by: o.requester.account ? "account" : "certificate key",
      ip: o.ip,
    },
  });
}

/**
 * An operator revokes a certificate from the console or the API: any certificate this CA issued,
 * for one of the reasons the Baseline Requirements allow for subscriber certificates (§7.2.2),
 * through the same move as ACME's revokeCert, audited with the operator as actor.
 */
export async function revokeCertificateByOperator(
  db: Db,
  o: { id: string; reason: number; actor: AuditActor; ip?: string; now: Date },
): Promise<void> {
  if (!OPERATOR_REVOCATION_REASON_CODES.includes(o.reason)) {
    throw new AcmeProblem(
      "badRevocationReason",
      `Revocation reason ${o.reason} is not allowed; use one of ${OPERATOR_REVOCATION_REASON_CODES.join(", ")}`,
    );
  }
  const row = await db.certificate.findUnique({
    where: { id: o.id },
    select: {
      id: true,
      issuerId: true,
      status: true,
      account: { select: { alias: { select: { name: true } } } },
    },
  });
  if (!row) throw notFoundProblem(`Certificate "${o.id}"`);
  const alreadyRevoked = () =>
    new AcmeProblem("alreadyRevoked", `Certificate "${o.id}" has already been revoked`, { status: 409 });
  if (row.status === "revoked") throw alreadyRevoked();
  try {
    await markCertificateRevoked(db, {
      alias: row.account.alias.name,
      certificate: row,
      reason: o.reason,
      now: o.now,
      audit: { actor: o.actor, by: "operator", ip: o.ip },
    });
  } catch (err) {
    // Revoked by someone else between the read and the move.
    if (err instanceof AcmeProblem && err.type === "alreadyRevoked") throw alreadyRevoked();
    throw err;
  }
}

/**
 * The one revocation move, for ACME's revokeCert and the console alike: a conditional update (a
 * certificate is revoked once; the loser gets alreadyRevoked) with its audit row, then the CA's
 * CRL regenerated so that it lists the certificate at once.
 */
export async function markCertificateRevoked(
  db: Db,
  o: {
    /** The alias the certificate was issued through (the metrics' label). */
    alias: string;
    certificate: { id: string; issuerId: string };
    reason: number;
    now: Date;
    audit: { actor: AuditActor; by: string; ip?: string };
  },
): Promise<void> {
  await moveWithAudit(
    db,
    (tx) =>
      tx.certificate.updateMany({
        where: { id: o.certificate.id, status: "valid" },
        data: { status: "revoked", revokedAt: o.now, revocationReason: o.reason },
      }),
    {
      lost: () => new AcmeProblem("alreadyRevoked", "The certificate has already been revoked"),
      audit: {
        actor: o.audit.actor,
        action: "certificate.revoked",
        targetType: "certificate",
        targetId: o.certificate.id,
        details: {
          reason: o.reason,
          reasonName: crlReasonName(o.reason),
          by: o.audit.by,
        },
        ip: o.audit.ip,
      },
    },
  );
  await announceRevocations(db, [{ alias: o.alias, issuerId: o.certificate.issuerId, reason: o.reason }]);
}

/**
 * After revocations committed: the revoked metric counted for each, and each CA's CRL
 * regenerated once, so that it lists them at once. Never throws: if the CRL cannot be made now,
 * the scheduled refresh catches up.
 */
async function announceRevocations(
  db: Db,
  revoked: readonly { alias: string; issuerId: string; reason: number }[],
): Promise<void> {
  for (const r of revoked) {
    countCertificateRevoked({
      alias: r.alias,
      reason: ALLOWED_REVOCATION_REASONS[r.reason] ?? String(r.reason),
    });
  }
  for (const issuerId of new Set(revoked.map((r) => r.issuerId))) {
    await generateCrl(db, issuerId).catch((err: unknown) =>
      console.error("[ra] CRL refresh after revocation failed:", err),
    );
  }
}

/** RFC 5280 §5.3.1 CRLReason superseded. */
export const SUPERSEDED_REASON = 4;

/**
 * Certificates the single active certificate constraint revoked when their end entity's new
 * certificate was stored (spec "Single Active Certificate Constraint"; the revocation and its
 * audit rows are in that transaction, lib/db/sql/certificates.ts): announced as every revocation.
 */
export async function announceSupersededRevocations(
  db: Db,
  revoked: readonly { issuerId: string; aliasName: string }[],
): Promise<void> {
  await announceRevocations(
    db,
    revoked.map((r) => ({ alias: r.aliasName, issuerId: r.issuerId, reason: SUPERSEDED_REASON })),
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
