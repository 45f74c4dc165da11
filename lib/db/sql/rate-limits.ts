// The counts behind the rate limits (lib/ra/rate-limits.ts holds the rules): each check is ONE
// statement over rows the CA stores anyway, so it holds across instances at no extra write.
//
// A check does not count every row: it looks for the limit-th newest row inside the window
// (ORDER BY … DESC OFFSET limit - 1 LIMIT 1, along an index). If that row exists the limit is
// reached, and the moment it leaves the window is when the count falls below the limit again —
// the reset time the client is told. The work is bounded by the limit, not by the history.
import type { Db } from "../client";

/** A limit and the start of its window. */
type Window = { limit: number; since: Date };

/**
 * New accounts of an alias created from one address, and from one IPv6 range, since a time: for
 * each the creation time of the limit-th newest, or null while the limit is not reached. A null
 * input is not checked.
 */
export async function selectNewAccountLimitsReached(
  db: Db,
  o: {
    aliasId: string;
    address: (Window & { value: string }) | null;
    ipv6Range: (Window & { value: string }) | null;
  },
): Promise<{ address: Date | null; ipv6Range: Date | null }> {
  const a = o.address;
  const r = o.ipv6Range;
  const rows = await db.$queryRaw<{ address: Date | null; ipv6Range: Date | null }[]>`
    SELECT
      (SELECT "createdAt" FROM "Account"
       WHERE ${a?.value ?? null}::text IS NOT NULL AND "aliasId" = ${o.aliasId}
         AND "createdFromIp" = ${a?.value ?? null}::text AND "createdAt" > ${a?.since ?? null}::timestamp(3)
       ORDER BY "createdAt" DESC OFFSET greatest(${a?.limit ?? 1}::int - 1, 0) LIMIT 1) AS "address",
      (SELECT "createdAt" FROM "Account"
       WHERE ${r?.value ?? null}::text IS NOT NULL AND "aliasId" = ${o.aliasId}
         AND "createdFromIpv6Range" = ${r?.value ?? null}::text AND "createdAt" > ${r?.since ?? null}::timestamp(3)
       ORDER BY "createdAt" DESC OFFSET greatest(${r?.limit ?? 1}::int - 1, 0) LIMIT 1) AS "ipv6Range"`;
  return { address: rows[0]?.address ?? null, ipv6Range: rows[0]?.ipv6Range ?? null };
}

/** One per-account check: the name an override is stored under, and the alias's value (0 = none). */
type AccountPart = { overrideName: string; limit: number; since: Date };

export type AccountLimitQuery = {
  accountId: string;
  aliasId: string;
  now: Date;
  /** Orders the account created since `since`. */
  orders: AccountPart | null;
  /** Authorizations of the account pending and not expired at `since` (= now). */
  pendingAuthorizations: AccountPart | null;
  /** Invalid authorizations of the account for each identifier, failed since `since`. */
  invalidAuthorizations: (AccountPart & { identifiers: { type: string; value: string }[] }) | null;
  /** Certificates of the alias's accounts naming each registered domain, issued since `since`. */
  certificates: (AccountPart & { registeredDomains: string[] }) | null;
};

export type AccountLimitReached = {
  part: "orders" | "pendingAuthorizations" | "invalidAuthorizations" | "certificates";
  /** The identifier value or registered domain; null for the per-account counts. */
  key: string | null;
  /** The limit in force: the account's override, else the alias's value. */
  limit: number;
  /** The limit-th newest counted row's time (for pending authorizations: the limit-th latest expiry). */
  at: Date;
};

/**
 * Every per-account limit of one ACME operation in one statement: the account's overrides
 * replace the alias's values (0 = no limit), and each part returns a row only when its limit is
 * reached. Parts passed as null are not checked.
 */
export async function selectAccountLimitsReached(
  db: Db,
  q: AccountLimitQuery,
): Promise<AccountLimitReached[]> {
  const part = (p: AccountPart | null) => ({
    name: p?.overrideName ?? null,
    limit: p?.limit ?? 0,
    since: p?.since ?? q.now,
  });
  const o = part(q.orders);
  const p = part(q.pendingAuthorizations);
  const f = part(q.invalidAuthorizations);
  const c = part(q.certificates);
  const types = q.invalidAuthorizations?.identifiers.map((i) => i.type) ?? [];
  const values = q.invalidAuthorizations?.identifiers.map((i) => i.value) ?? [];
  const domains = q.certificates?.registeredDomains ?? [];
  return db.$queryRaw<AccountLimitReached[]>`
    WITH lim AS (
      SELECT v.part, COALESCE(ov."value", v."limit") AS "limit", v.since
      FROM (VALUES
        ('orders', ${o.name}::text, ${o.limit}::int, ${o.since}::timestamp(3)),
        ('pendingAuthorizations', ${p.name}::text, ${p.limit}::int, ${p.since}::timestamp(3)),
        ('invalidAuthorizations', ${f.name}::text, ${f.limit}::int, ${f.since}::timestamp(3)),
        ('certificates', ${c.name}::text, ${c.limit}::int, ${c.since}::timestamp(3))
      ) AS v(part, name, "limit", since)
      LEFT JOIN "RateLimitOverride" ov ON ov."accountId" = ${q.accountId} AND ov."limit" = v.name
      WHERE v.name IS NOT NULL)
    SELECT l.part, NULL::text AS "key", l."limit", x."at"
    FROM lim l CROSS JOIN LATERAL (
      SELECT "createdAt" AS "at" FROM "Order"
      WHERE "accountId" = ${q.accountId} AND "createdAt" > l.since
      ORDER BY "createdAt" DESC OFFSET l."limit" - 1 LIMIT 1) x
    WHERE l.part = 'orders' AND l."limit" > 0
    UNION ALL
    SELECT l.part, NULL::text, l."limit", x."at"
    FROM lim l CROSS JOIN LATERAL (
      SELECT "expiresAt" AS "at" FROM "Authorization"
      WHERE "accountId" = ${q.accountId} AND "status" = 'pending' AND "expiresAt" > l.since
      ORDER BY "expiresAt" DESC OFFSET l."limit" - 1 LIMIT 1) x
    WHERE l.part = 'pendingAuthorizations' AND l."limit" > 0
    UNION ALL
    SELECT l.part, i.value, l."limit", x."at"
    FROM lim l CROSS JOIN unnest(${types}::text[], ${values}::text[]) AS i(type, value)
    CROSS JOIN LATERAL (
      SELECT "updatedAt" AS "at" FROM "Authorization"
      WHERE "accountId" = ${q.accountId} AND "identifierType" = i.type AND "identifierValue" = i.value
        AND "status" = 'invalid' AND "updatedAt" > l.since
      ORDER BY "updatedAt" DESC OFFSET l."limit" - 1 LIMIT 1) x
    WHERE l.part = 'invalidAuthorizations' AND l."limit" > 0
    UNION ALL
    SELECT l.part, d.domain, l."limit", x."at"
    FROM lim l CROSS JOIN unnest(${domains}::text[]) AS d(domain)
    CROSS JOIN LATERAL (
      SELECT c."createdAt" AS "at" FROM "Certificate" c JOIN "Account" a ON a."id" = c."accountId"
      WHERE a."aliasId" = ${q.aliasId} AND c."registeredDomains" @> ARRAY[d.domain]
        AND c."createdAt" > l.since
      ORDER BY c."createdAt" DESC OFFSET l."limit" - 1 LIMIT 1) x
    WHERE l.part = 'certificates' AND l."limit" > 0`;
}

export type UsageRow = {
  part:
    | "address"
    | "ipv6Range"
    | "orders"
    | "pendingAuthorizations"
    | "invalidAuthorizations"
    | "certificates";
  /** The address, range, account id or registered domain counted. */
  key: string;
  /** For invalid authorizations: the identifier value (the key is the account). */
  name: string | null;
  count: number;
};

/**
 * The busiest keys of each count on an alias right now, `top` per count, for the console: the
 * addresses and /48s that created accounts, the accounts with the most orders, pending and
 * failed authorizations, and the registered domains with the most certificates.
 */
export async function selectRateLimitUsage(
  db: Db,
  o: {
    aliasId: string;
    now: Date;
    top: number;
    accountsSince: Date;
    ordersSince: Date;
    failuresSince: Date;
    certificatesSince: Date;
  },
): Promise<UsageRow[]> {
  const rows = await db.$queryRaw<(Omit<UsageRow, "count"> & { count: bigint })[]>`
    (SELECT 'address' AS part, "createdFromIp" AS "key", NULL::text AS "name", count(*) AS "count"
     FROM "Account" WHERE "aliasId" = ${o.aliasId} AND "createdFromIp" IS NOT NULL
       AND "createdAt" > ${o.accountsSince}
     GROUP BY 2 ORDER BY 4 DESC, 2 LIMIT ${o.top}::int)
    UNION ALL
    (SELECT 'ipv6Range', "createdFromIpv6Range", NULL, count(*)
     FROM "Account" WHERE "aliasId" = ${o.aliasId} AND "createdFromIpv6Range" IS NOT NULL
       AND "createdAt" > ${o.accountsSince}
     GROUP BY 2 ORDER BY 4 DESC, 2 LIMIT ${o.top}::int)
    UNION ALL
    (SELECT 'orders', o."accountId", NULL, count(*)
     FROM "Order" o JOIN "Account" a ON a."id" = o."accountId"
     WHERE a."aliasId" = ${o.aliasId} AND o."createdAt" > ${o.ordersSince}
     GROUP BY 2 ORDER BY 4 DESC, 2 LIMIT ${o.top}::int)
    UNION ALL
    (SELECT 'pendingAuthorizations', z."accountId", NULL, count(*)
     FROM "Authorization" z JOIN "Account" a ON a."id" = z."accountId"
     WHERE a."aliasId" = ${o.aliasId} AND z."status" = 'pending' AND z."expiresAt" > ${o.now}
     GROUP BY 2 ORDER BY 4 DESC, 2 LIMIT ${o.top}::int)
    UNION ALL
    (SELECT 'invalidAuthorizations', z."accountId", z."identifierValue", count(*)
     FROM "Authorization" z JOIN "Account" a ON a."id" = z."accountId"
     WHERE a."aliasId" = ${o.aliasId} AND z."status" = 'invalid' AND z."updatedAt" > ${o.failuresSince}
     GROUP BY 2, 3 ORDER BY 4 DESC, 2, 3 LIMIT ${o.top}::int)
    UNION ALL
    (SELECT 'certificates', d.domain, NULL, count(*)
     FROM "Certificate" c JOIN "Account" a ON a."id" = c."accountId"
     CROSS JOIN unnest(c."registeredDomains") AS d(domain)
     WHERE a."aliasId" = ${o.aliasId} AND c."createdAt" > ${o.certificatesSince}
     GROUP BY 2 ORDER BY 4 DESC, 2 LIMIT ${o.top}::int)`;
  return rows.map((r) => ({ ...r, count: Number(r.count) }));
}
