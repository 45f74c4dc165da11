// Keyward's Prometheus metrics (issue 17 item 1): one registry per process, the instruments every
// layer counts with, and nothing else. A shared leaf: it imports no layer, so the ACME front end,
// lib/ra and lib/ca can all count without depending on the scrape endpoint (lib/ops/metrics.ts),
// which reads the gauges that come from the database.
//
// Labels stay bounded: alias names (configured by operators), CA names, and fixed enums (resource,
// status code, problem type, challenge type, result, revocation reason). Never an identifier, an
// account id or anything a client chooses.
//
// The registry lives on globalThis: the Next app bundles its own copy of this module, and an
// issuance or revocation done through the console must count in the same registry server.ts
// serves (registering the same metric names twice would throw).
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

const REGISTRY_KEY = Symbol.for("keyward.metrics");

/** Buckets for ACME requests and validations, in seconds: 1 ms up to 30 s (a slow http-01 target). */
const LATENCY_BUCKETS_S = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

const LINT_FAILING_DEFAULT_METRICS = [
  "nodejs_active_handles_total",
  "nodejs_active_requests_total",
  "nodejs_active_resources_total",
];

function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  // Gauges named like counters, which `promtool check metrics` refuses; their per-type
  // counterparts (nodejs_active_handles{type} …) stay, and sum() gives the totals.
  for (const name of LINT_FAILING_DEFAULT_METRICS) registry.removeSingleMetric(name);
  const registers = [registry];
  return {
    registry,
    acmeRequests: new Counter({
      name: "keyward_acme_requests_total",
      help: "ACME requests answered, by alias, resource and HTTP status",
      labelNames: ["alias", "resource", "status"] as const,
      registers,
    }),
    acmeRequestDuration: new Histogram({
      name: "keyward_acme_request_duration_seconds",
      help: "Time to answer an ACME request, by alias and resource",
      labelNames: ["alias", "resource"] as const,
      buckets: LATENCY_BUCKETS_S,
      registers,
    }),
    acmeProblems: new Counter({
      name: "keyward_acme_problems_total",
      help: "ACME problem documents returned, by alias and problem type (without urn:ietf:params:acme:error:)",
      labelNames: ["alias", "type"] as const,
      registers,
    }),
    noncesRedeemed: new Counter({
      name: "keyward_nonces_redeemed_total",
      help: "Replay nonces accepted (each is single-use, RFC 8555 §6.5)",
      registers,
    }),
    validations: new Counter({
      name: "keyward_validations_total",
      help: "Challenge validations finished, by alias, challenge type and result",
      labelNames: ["alias", "type", "result"] as const,
      registers,
    }),
    validationDuration: new Histogram({
      name: "keyward_validation_duration_seconds",
      help: "Time a challenge validation took, by challenge type",
      labelNames: ["type"] as const,
      buckets: LATENCY_BUCKETS_S,
      registers,
    }),
    certificatesIssued: new Counter({
      name: "keyward_certificates_issued_total",
      help: "Certificates issued, by alias and issuing CA",
      labelNames: ["alias", "ca"] as const,
      registers,
    }),
    certificatesRevoked: new Counter({
      name: "keyward_certificates_revoked_total",
      help: "Certificates revoked, by alias and RFC 5280 reason name",
      labelNames: ["alias", "reason"] as const,
      registers,
    }),
    orders: new Gauge({
      name: "keyward_orders",
      help: "Orders stored, by stored status (read at scrape time)",
      labelNames: ["status"] as const,
      registers,
    }),
    validationJobs: new Gauge({
      name: "keyward_validation_jobs",
      help: "Validation jobs stored, by state (read at scrape time)",
      labelNames: ["state"] as const,
      registers,
    }),
    caCertificateExpiry: new Gauge({
      name: "keyward_ca_certificate_expiry_timestamp_seconds",
      help: "End of validity (notAfter) of each CA certificate, Unix time",
      labelNames: ["ca"] as const,
      registers,
    }),
    crlNextUpdate: new Gauge({
      name: "keyward_crl_next_update_timestamp_seconds",
      help: "nextUpdate of each CA's newest CRL, Unix time",
      labelNames: ["ca"] as const,
      registers,
    }),
    dbPoolConnections: new Gauge({
      name: "keyward_db_pool_connections",
      help: "Database pool connections of this process, by state (in use, idle)",
      labelNames: ["state"] as const,
      registers,
    }),
    dbPoolWaiting: new Gauge({
      name: "keyward_db_pool_waiting",
      help: "Callers of this process waiting for a database connection",
      registers,
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;

/** The process's metrics, created on first use. */
export function metrics(): Metrics {
  const holder = globalThis as { [REGISTRY_KEY]?: Metrics };
  holder[REGISTRY_KEY] ??= createMetrics();
  return holder[REGISTRY_KEY];
}

/** The label for "no alias" (a request for an alias that does not exist, or a CLI action). */
export const NO_ALIAS = "-";

/** What the ACME front end knows of a request when it has answered (lib/acme/http RequestEvent). */
export type AcmeRequestFacts = {
  alias?: string;
  resource?: string;
  status: number;
  problem?: string;
  nonceRedeemed?: boolean;
  ms: number;
};

/** Counts one answered ACME request: the front end's only metrics call. */
export function countAcmeRequest(facts: AcmeRequestFacts): void {
  const m = metrics();
  const alias = facts.alias ?? NO_ALIAS;
  const resource = facts.resource ?? "unknown";
  m.acmeRequests.inc({ alias, resource, status: facts.status });
  m.acmeRequestDuration.observe({ alias, resource }, facts.ms / 1000);
  if (facts.problem !== undefined) m.acmeProblems.inc({ alias, type: facts.problem });
  if (facts.nonceRedeemed) m.noncesRedeemed.inc();
}

export function countValidation(o: { alias: string; type: string; valid: boolean; seconds: number }): void {
  const m = metrics();
  m.validations.inc({ alias: o.alias, type: o.type, result: o.valid ? "valid" : "invalid" });
  m.validationDuration.observe({ type: o.type }, o.seconds);
}

export function countCertificateIssued(o: { alias: string; ca: string }): void {
  metrics().certificatesIssued.inc({ alias: o.alias, ca: o.ca });
}

export function countCertificateRevoked(o: { alias: string; reason: string }): void {
  metrics().certificatesRevoked.inc({ alias: o.alias, reason: o.reason });
}
