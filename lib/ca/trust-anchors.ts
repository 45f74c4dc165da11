// lib/ca — client trust anchors: the CA certificates an ACME client's certificate may chain to
// (spec "ACME with Client Authentication"; lib/ca/client-certificates.ts verifies against them).
// Keyward's own root and issuing CA are anchors from the moment they exist (the CA bootstrap
// enters them, the issue 11 migration did so for older installations); an operator imports the
// CAs of other client-certificate hierarchies and may remove any anchor, Keyward's own included.
// Every change is audited in its transaction.
import { type AuditActor, recordAudit } from "@/lib/audit/record";
import { BasicConstraintsExtension, X509Certificate } from "@/lib/crypto/x509";
import type { Db, Prisma } from "@/lib/db/client";
import { isUniqueViolation } from "@/lib/db/errors";
import { containsText } from "@/lib/db/text-filters";
import { conflictProblem, invalidParamsProblem, notFoundProblem } from "@/lib/problem";
import { certificatesFromPem, derToPem, sha256Hex } from "./pem";

export type TrustAnchorSource = "keyward" | "imported";

export type TrustAnchorView = {
  id: string;
  subjectDn: string;
  /** Lowercase hex SHA-256 of the DER. */
  sha256: string;
  notBefore: string;
  notAfter: string;
  source: TrustAnchorSource;
  pem: string;
  createdAt: string;
};

type ChangedBy = { actor: AuditActor; ip?: string };

type AnchorRow = {
  id: string;
  sha256: string;
  der: Uint8Array;
  subjectDn: string;
  notBefore: Date;
  notAfter: Date;
  source: string;
  createdAt: Date;
};

function toView(row: AnchorRow): TrustAnchorView {
  return {
    id: row.id,
    // As lib/crypto/x509 prints the certificate's own name — the way a client certificate's
    // issuer is shown — whatever text the row was written with (the issue 11 migration copied
    // the CA table's).
    subjectDn: new X509Certificate(new Uint8Array(row.der)).subject,
    sha256: row.sha256,
    notBefore: row.notBefore.toISOString(),
    notAfter: row.notAfter.toISOString(),
    source: row.source === "keyward" ? "keyward" : "imported",
    pem: derToPem(new Uint8Array(row.der)),
    createdAt: row.createdAt.toISOString(),
  };
}

/**
 * Makes CA certificates anchors (inside the CA bootstrap's transaction, so that a new hierarchy
 * is trusted for client certificates exactly when it exists).
 */
export async function trustAsClientAnchors(
  tx: Pick<Db, "clientTrustAnchor">,
  cas: readonly { certificateDer: Uint8Array }[],
): Promise<void> {
  await tx.clientTrustAnchor.createMany({
    data: cas.map((ca) => {
      const der = new Uint8Array(ca.certificateDer);
      const certificate = new X509Certificate(der);
      return {
        sha256: sha256Hex(der),
        der,
        subjectDn: certificate.subject,
        notBefore: certificate.notBefore,
        notAfter: certificate.notAfter,
        source: "keyward",
      };
    }),
    skipDuplicates: true,
  });
}

export type TrustAnchorSort = "subject" | "source" | "validUntil" | "added";

export type TrustAnchorSearch = {
  /** Part of the subject DN, as typed (% and _ are literal). */
  q?: string;
  sort?: TrustAnchorSort;
  dir?: "asc" | "desc";
  /** Rows to skip and to return; left out: every anchor (the command line lists them all). */
  offset?: number;
  limit?: number;
};

/** Each sortable column's order; ties go by when the anchor was added, then id (stable paging). */
function anchorOrder(
  sort: TrustAnchorSort | undefined,
  dir: "asc" | "desc",
): Prisma.ClientTrustAnchorOrderByWithRelationInput[] {
  const ties: Prisma.ClientTrustAnchorOrderByWithRelationInput[] = [{ createdAt: "asc" }, { id: "asc" }];
  switch (sort) {
    case "subject":
      return [{ subjectDn: dir }, ...ties];
    case "validUntil":
      return [{ notAfter: dir }, ...ties];
    case "added":
      return [{ createdAt: dir }, { id: "asc" }];
    // Keyward's own CAs before imported ones (descending), as the list always showed them.
    default:
      return [{ source: dir }, ...ties];
  }
}

/** The anchors matching the search, in the asked order (Keyward's own first by default). */
export async function listClientTrustAnchors(
  db: Db,
  search: TrustAnchorSearch = {},
): Promise<{ items: TrustAnchorView[]; total: number }> {
  const where: Prisma.ClientTrustAnchorWhereInput = search.q ? { subjectDn: containsText(search.q) } : {};
  const [rows, total] = await Promise.all([
    db.clientTrustAnchor.findMany({
      where,
      orderBy: anchorOrder(search.sort, search.dir ?? "desc"),
      skip: search.offset,
      take: search.limit,
    }),
    db.clientTrustAnchor.count({ where }),
  ]);
  return { items: rows.map(toView), total };
}

/**
 * Imports one CA certificate as an anchor. Refused, naming `certificatePem`: not exactly one
 * certificate, not a CA certificate (RFC 5280 §4.2.1.9: only a certificate with cA=TRUE may
 * certify others), expired; 409 when it is an anchor already.
 */
export async function importClientTrustAnchor(
  db: Db,
  o: { pem: string; by: ChangedBy; now?: Date },
): Promise<TrustAnchorView> {
  const field = "certificatePem";
  const refuse = (reason: string) => invalidParamsProblem([{ name: field, reason }]);
  const ders = certificatesFromPem(o.pem);
  if (!ders) throw refuse("Paste a PEM certificate (-----BEGIN CERTIFICATE----- …)");
  if (ders.length !== 1) throw refuse("Import one CA certificate at a time");
  const der = ders[0] as Uint8Array<ArrayBuffer>;
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(der);
  } catch {
    throw refuse("This is not a readable X.509 certificate");
  }
  if (!certificate.getExtension(BasicConstraintsExtension)?.ca) {
    throw refuse(
      "This is not a CA certificate (basicConstraints cA is not set): register a single client certificate as an alias access rule instead",
    );
  }
  if (certificate.notAfter < (o.now ?? new Date())) throw refuse("This certificate has expired");
  const sha256 = sha256Hex(der);
  try {
    const row = await db.$transaction(async (tx) => {
      const created = await tx.clientTrustAnchor.create({
        data: {
          sha256,
          der,
          subjectDn: certificate.subject,
          notBefore: certificate.notBefore,
          notAfter: certificate.notAfter,
          source: "imported",
        },
      });
      await recordAudit(tx, {
        actor: o.by.actor,
        action: "trustAnchor.imported",
        targetType: "trustAnchor",
        targetId: created.id,
        details: { subjectDn: created.subjectDn, sha256 } satisfies Prisma.InputJsonValue,
        ip: o.by.ip,
      });
      return created;
    });
    return toView(row);
  } catch (err) {
    if (isUniqueViolation(err)) throw conflictProblem("This certificate is a trust anchor already", field);
    throw err;
  }
}

/** Removes an anchor: certificates that chain only to it are refused from the next request on. */
export async function removeClientTrustAnchor(db: Db, o: { id: string; by: ChangedBy }): Promise<void> {
  await db.$transaction(async (tx) => {
    const row = await tx.clientTrustAnchor.findUnique({ where: { id: o.id } });
    if (!row) throw notFoundProblem("Trust anchor");
    const { count } = await tx.clientTrustAnchor.deleteMany({ where: { id: o.id } });
    if (count !== 1) throw notFoundProblem("Trust anchor");
    await recordAudit(tx, {
      actor: o.by.actor,
      action: "trustAnchor.removed",
      targetType: "trustAnchor",
      targetId: row.id,
      details: { subjectDn: row.subjectDn, sha256: row.sha256, source: row.source },
      ip: o.by.ip,
    });
  });
}
