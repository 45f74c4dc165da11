// What operators watch (issue 17): the readiness probe's questions and the gauges read at each
// Prometheus scrape. Each is one cheap statement; none reads a row's content beyond what it counts.
import type { Db } from "../client";
import { poolOf } from "../client";

/** The database answers a trivial statement. */
export async function pingDatabase(db: Db): Promise<void> {
  await db.$queryRaw`SELECT 1`;
}

/** Names of the migrations the database has finished applying (Prisma's own table). */
export async function findAppliedMigrationNames(db: Db): Promise<string[]> {
  const rows = await db.$queryRaw<{ migration_name: string }[]>`
    SELECT "migration_name" FROM "_prisma_migrations"
    WHERE "finished_at" IS NOT NULL AND "rolled_back_at" IS NULL`;
  return rows.map((row) => row.migration_name);
}

export type CaValidity = {
  id: string;
  name: string;
  role: "root" | "issuing" | "cross-certificate";
  notAfter: Date;
};

/**
 * Every stored CA certificate's name and end of validity (no key, no certificate): each CA, and
 * each cross-certificate as "<CA> (cross-signed by <root>)" (issue 12), which expires on its own.
 */
export async function findCaValidities(db: Db): Promise<CaValidity[]> {
  const [cas, crosses] = await Promise.all([
    db.certificateAuthority.findMany({
      select: { id: true, name: true, role: true, notAfter: true },
      orderBy: [{ role: "asc" }, { createdAt: "asc" }],
    }),
    db.caCrossCertificate.findMany({
      select: {
        id: true,
        notAfter: true,
        ca: { select: { name: true } },
        issuer: { select: { name: true } },
      },
      orderBy: { createdAt: "asc" },
    }),
  ]);
  return [
    ...cas,
    ...crosses.map((cross) => ({
      id: cross.id,
      name: `${cross.ca.name} (cross-signed by ${cross.issuer.name})`,
      role: "cross-certificate" as const,
      notAfter: cross.notAfter,
    })),
  ];
}

/**
 * The CAs aliases issue from through their end entity profile (its default CA, else its
 * certificate profile's first available CA), each once; aliases without one use the default CA,
 * which is not listed.
 */
export async function findAliasProfileCaIds(db: Db): Promise<string[]> {
  const rows = await db.$queryRaw<{ id: string }[]>`
    SELECT DISTINCT COALESCE(e."defaultCaId", c."availableCaIds"[1]) AS "id"
    FROM "Alias" a
    JOIN "EndEntityProfile" e ON e."name" = a."settings"->>'endEntityProfile'
    LEFT JOIN "CertificateProfile" c ON c."id" = e."defaultCertificateProfileId"
    WHERE COALESCE(e."defaultCaId", c."availableCaIds"[1]) IS NOT NULL`;
  return rows.map((row) => row.id);
}

export type CrlFreshness = { caName: string; nextUpdate: Date; number: bigint };

/** The newest CRL of each CA: when it must be replaced (RFC 5280 §5.1.2.5 nextUpdate). */
export async function findLatestCrlNextUpdates(db: Db): Promise<CrlFreshness[]> {
  return db.$queryRaw<CrlFreshness[]>`
    SELECT DISTINCT ON (c."caId") ca."name" AS "caName", c."nextUpdate", c."number"
    FROM "Crl" c JOIN "CertificateAuthority" ca ON ca."id" = c."caId"
    ORDER BY c."caId", c."number" DESC`;
}

export type StatusCounts = { orders: Record<string, number>; validationJobs: Record<string, number> };

/** Orders by stored status and validation jobs by state, in one round trip. */
export async function countOrdersAndJobsByStatus(db: Db): Promise<StatusCounts> {
  const rows = await db.$queryRaw<{ kind: "order" | "job"; status: string; n: bigint }[]>`
    SELECT 'order' AS "kind", "status"::text AS "status", count(*) AS "n" FROM "Order" GROUP BY "status"
    UNION ALL
    SELECT 'job', "status"::text, count(*) FROM "ValidationJob" GROUP BY "status"`;
  const counts: StatusCounts = { orders: {}, validationJobs: {} };
  for (const row of rows) {
    (row.kind === "order" ? counts.orders : counts.validationJobs)[row.status] = Number(row.n);
  }
  return counts;
}

/** The connection pool right now: open connections, idle ones, and callers waiting for one. */
export function poolUsage(db: Db): { total: number; idle: number; waiting: number } {
  const pool = poolOf(db);
  return { total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount };
}
