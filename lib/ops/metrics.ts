// GET /metrics (issue 17 item 1): the Prometheus exposition of lib/observability/metrics.ts, with
// the gauges that come from the database read at scrape time (one grouped count, two small
// reads), so nothing on the ACME path keeps them up to date.
//
// Who may read it: a caller from KEYWARD_METRICS_ALLOW (loopback by default) without a token, or
// anyone with an API token whose permissions include reading the audit log (the auditor role or
// the administrator's; an approver's token may not). A token never travels over plain HTTP from
// another machine (issue 15 item 8).
import { actorCanAny } from "@/lib/auth/actor";
import { authenticateApiToken } from "@/lib/auth/api-tokens";
import { db } from "@/lib/db/client";
import {
  countOrdersAndJobsByStatus,
  findCaValidities,
  findLatestCrlNextUpdates,
  poolUsage,
} from "@/lib/db/sql/operations";
import { env } from "@/lib/env";
import { isLoopbackAddress, TrustedProxies } from "@/lib/forwarded";
import { metrics } from "@/lib/observability/metrics";

// The stored statuses (prisma/schema.prisma OrderStatus, JobStatus): each series exists from the
// first scrape, at 0, so that rate() and alerts see a start.
const ORDER_STATUSES = ["pending", "ready", "processing", "valid", "invalid"] as const;
const JOB_STATES = ["queued", "running", "done"] as const;

let allowed: TrustedProxies | undefined;

export type MetricsAccess = { allowed: true } | { allowed: false; status: 401 | 403; detail: string };

/** Whether this request may read the metrics. */
export async function checkMetricsAccess(o: {
  authorization: string | null;
  clientIp: string | undefined;
  scheme: "http" | "https";
}): Promise<MetricsAccess> {
  allowed ??= new TrustedProxies(env().KEYWARD_METRICS_ALLOW);
  if (o.authorization === null) {
    return allowed.has(o.clientIp)
      ? { allowed: true }
      : {
          allowed: false,
          status: 401,
          detail: 'Send an API token of an auditor or administrator as "Authorization: Bearer kw_…"',
        };
  }
  const token = /^Bearer\s+(\S+)$/i.exec(o.authorization)?.[1];
  if (!token) return { allowed: false, status: 401, detail: 'Use "Authorization: Bearer kw_…"' };
  if (o.scheme === "http" && !isLoopbackAddress(o.clientIp)) {
    return { allowed: false, status: 403, detail: "Send API tokens over HTTPS only" };
  }
  const actor = await authenticateApiToken(token, o.clientIp);
  if (!actor) return { allowed: false, status: 401, detail: "The API token is unknown, revoked or expired" };
  return actorCanAny(actor, ["audit.read"])
    ? { allowed: true }
    : {
        allowed: false,
        status: 403,
        detail: `Reading metrics needs the auditor or administrator role; the token acts as ${actor.role}`,
      };
}

/** Reads the database's gauges into the registry. A database that is away leaves them out. */
async function refreshDatabaseGauges(): Promise<void> {
  const m = metrics();
  const database = db();
  const pool = poolUsage(database);
  m.dbPoolConnections.set({ state: "in_use" }, pool.total - pool.idle);
  m.dbPoolConnections.set({ state: "idle" }, pool.idle);
  m.dbPoolWaiting.set(pool.waiting);
  for (const gauge of [m.orders, m.validationJobs, m.caCertificateExpiry, m.crlNextUpdate]) gauge.reset();
  try {
    const [counts, cas, crls] = await Promise.all([
      countOrdersAndJobsByStatus(database),
      findCaValidities(database),
      findLatestCrlNextUpdates(database),
    ]);
    for (const status of ORDER_STATUSES) m.orders.set({ status }, counts.orders[status] ?? 0);
    for (const state of JOB_STATES) m.validationJobs.set({ state }, counts.validationJobs[state] ?? 0);
    for (const ca of cas) m.caCertificateExpiry.set({ ca: ca.name }, ca.notAfter.getTime() / 1000);
    for (const crl of crls) m.crlNextUpdate.set({ ca: crl.caName }, crl.nextUpdate.getTime() / 1000);
  } catch {
    // The scrape still shows the process and its counters; readiness says what is wrong.
  }
}

/** The exposition text and its content type. */
export async function renderMetrics(): Promise<{ body: string; contentType: string }> {
  await refreshDatabaseGauges();
  const { registry } = metrics();
  return { body: await registry.metrics(), contentType: registry.contentType };
}
