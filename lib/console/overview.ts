// The numbers on the console's front page: protocol state, aliases, counts, issuance per day
// over the last 30 days and expiries over the next 30, and the latest failed validations.

import { assertPermission, type ConsoleActor } from "@/lib/auth/actor";
import { db } from "@/lib/db/client";
import { countExpiriesPerDay, countIssuedPerDay } from "@/lib/db/sql/certificates";
import { findCaValidities, findLatestCrlNextUpdates } from "@/lib/db/sql/operations";
import { checkReadiness, type Readiness } from "@/lib/ops/health";
import { readAliasSettings } from "@/lib/ra/alias-settings";
import { countPendingApprovals } from "./approvals";
import { getProtocolState, type ProtocolState } from "./settings";

export const CHART_DAYS = 30;
/** The overview lists this many directory URLs, with a link to the aliases page for the rest. */
export const OVERVIEW_ALIAS_LIMIT = 10;
const DAY_MS = 86_400_000;
/** Issue 17 item 5: a CA certificate that ends within this is shown with a warning. */
export const CA_EXPIRY_WARNING_MS = 30 * DAY_MS;
/**
 * A CRL is replaced well before its nextUpdate (lib/ca/crl.ts, every 10 minutes when due), so its
 * nextUpdate is always within days; the warning is for one the refresh is no longer keeping
 * ahead: less than this left, or past.
 */
export const CRL_STALE_WARNING_MS = 3600_000;

export type DayCount = { day: string; count: number };

export type Overview = {
  protocol: ProtocolState;
  /** The first OVERVIEW_ALIAS_LIMIT aliases by name (the default one first); aliasCount has them all. */
  aliases: { name: string; configured: boolean; isDefault: boolean; requiresClientCertificate: boolean }[];
  aliasCount: number;
  counts: {
    accounts: number;
    pendingOrders: number;
    issuedLast24h: number;
    issuedLast30d: number;
    expiringNext30d: number;
    pendingApprovals: number;
  };
  issuancePerDay: DayCount[];
  expiriesPerDay: DayCount[];
  failedValidations: { id: string; type: string; identifier: string; error: string; at: string }[];
  operations: {
    readiness: Readiness;
    certificateAuthorities: {
      name: string;
      role: "root" | "issuing" | "cross-certificate";
      notAfter: string;
      warning: string | null;
    }[];
    crls: { caName: string; number: string; nextUpdate: string; warning: string | null }[];
  };
  generatedAt: string;
};

export function caWarning(notAfter: Date, now: Date): string | null {
  if (notAfter <= now) return "expired";
  return notAfter.getTime() - now.getTime() < CA_EXPIRY_WARNING_MS ? "expires within 30 days" : null;
}

export function crlWarning(nextUpdate: Date, now: Date): string | null {
  if (nextUpdate <= now) return "past its nextUpdate: relying parties reject it";
  return nextUpdate.getTime() - now.getTime() < CRL_STALE_WARNING_MS ? "due within the hour" : null;
}

function utcDay(d: Date): string {
  return d.toISOString().slice(0, 10);
}

/** `days` consecutive UTC days from `start`, each with its count (0 when absent). */
function fillDays(start: Date, days: number, rows: { day: Date; n: number }[]): DayCount[] {
  const byDay = new Map(rows.map((r) => [utcDay(r.day), r.n]));
  return Array.from({ length: days }, (_, i) => {
    const day = utcDay(new Date(start.getTime() + i * DAY_MS));
    return { day, count: byDay.get(day) ?? 0 };
  });
}

export async function getOverview(o: { actor: ConsoleActor; now?: Date }): Promise<Overview> {
  assertPermission(o.actor, "console.read");
  const database = db();
  const now = o.now ?? new Date();
  const today = new Date(`${utcDay(now)}T00:00:00.000Z`);
  const chartStart = new Date(today.getTime() - (CHART_DAYS - 1) * DAY_MS);
  const chartEnd = new Date(today.getTime() + CHART_DAYS * DAY_MS);
  const [
    protocol,
    aliases,
    aliasCount,
    accounts,
    pendingOrders,
    issuedLast24h,
    issuedLast30d,
    expiringNext30d,
    issued,
    expiring,
    failed,
    pendingApprovals,
    readiness,
    cas,
    crls,
  ] = await Promise.all([
    getProtocolState({ actor: o.actor }),
    database.alias.findMany({
      orderBy: { name: "asc" },
      select: { id: true, name: true, configured: true, settings: true },
      take: OVERVIEW_ALIAS_LIMIT,
    }),
    database.alias.count(),
    database.account.count(),
    database.order.count({ where: { status: { in: ["pending", "ready", "processing"] } } }),
    database.certificate.count({ where: { createdAt: { gte: new Date(now.getTime() - DAY_MS) } } }),
    database.certificate.count({ where: { createdAt: { gte: new Date(now.getTime() - 30 * DAY_MS) } } }),
    database.certificate.count({
      where: { status: "valid", notAfter: { gte: now, lt: new Date(now.getTime() + 30 * DAY_MS) } },
    }),
    countIssuedPerDay(database, chartStart),
    countExpiriesPerDay(database, today, chartEnd),
    database.challenge.findMany({
      where: { status: "invalid" },
      orderBy: { updatedAt: "desc" },
      take: 5,
      select: {
        id: true,
        type: true,
        error: true,
        updatedAt: true,
        authorization: { select: { identifierValue: true, wildcard: true } },
      },
    }),
    countPendingApprovals(now),
    checkReadiness(database),
    findCaValidities(database),
    findLatestCrlNextUpdates(database),
  ]);
  return {
    protocol,
    aliases: aliases
      .map((a) => ({
        name: a.name,
        configured: a.configured,
        isDefault: a.id === protocol.defaultAlias?.id,
        requiresClientCertificate: readAliasSettings(a.settings).requireClientCertificate,
      }))
      .sort((a, b) => Number(b.isDefault) - Number(a.isDefault)),
    aliasCount,
    counts: { accounts, pendingOrders, issuedLast24h, issuedLast30d, expiringNext30d, pendingApprovals },
    issuancePerDay: fillDays(chartStart, CHART_DAYS, issued),
    expiriesPerDay: fillDays(today, CHART_DAYS, expiring),
    failedValidations: failed.map((c) => ({
      id: c.id,
      type: c.type,
      identifier: `${c.authorization.wildcard ? "*." : ""}${c.authorization.identifierValue}`,
      error:
        typeof c.error === "object" && c.error && "detail" in c.error
          ? String((c.error as { detail: unknown }).detail)
          : "failed",
      at: c.updatedAt.toISOString(),
    })),
    operations: {
      readiness,
      certificateAuthorities: cas.map((ca) => ({
        name: ca.name,
        role: ca.role,
        notAfter: ca.notAfter.toISOString(),
        warning: caWarning(ca.notAfter, now),
      })),
      crls: crls.map((crl) => ({
        caName: crl.caName,
        number: crl.number.toString(),
        nextUpdate: crl.nextUpdate.toISOString(),
        warning: crlWarning(crl.nextUpdate, now),
      })),
    },
    generatedAt: now.toISOString(),
  };
}
