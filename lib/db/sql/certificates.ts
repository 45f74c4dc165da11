// Aggregates over issued certificates for the console's charts.
import type { Db } from "../client";

export type DayCount = { day: Date; n: number };

/** Certificates issued per UTC day since `since`. */
export async function countIssuedPerDay(db: Db, since: Date): Promise<DayCount[]> {
  const rows = await db.$queryRaw<{ day: Date; n: bigint }[]>`
    SELECT date_trunc('day', "createdAt") AS day, count(*) AS n FROM "Certificate"
    WHERE "createdAt" >= ${since} GROUP BY 1`;
  return rows.map(({ day, n }) => ({ day, n: Number(n) }));
}

/** Valid certificates expiring per UTC day in [from, until). */
export async function countExpiriesPerDay(db: Db, from: Date, until: Date): Promise<DayCount[]> {
  const rows = await db.$queryRaw<{ day: Date; n: bigint }[]>`
    SELECT date_trunc('day', "notAfter") AS day, count(*) AS n FROM "Certificate"
    WHERE status = 'valid' AND "notAfter" >= ${from} AND "notAfter" < ${until} GROUP BY 1`;
  return rows.map(({ day, n }) => ({ day, n: Number(n) }));
}
