// Liveness and readiness (issue 17 item 2), for load balancers and orchestrators.
//
//   /healthz  the process answers: no I/O, always 200 while the event loop runs.
//   /readyz   this instance can serve: the database answers, every migration in prisma/migrations
//             is applied, and the issuing CA's key is loaded (unsealed) with the issuing and root
//             certificates unexpired — the default issuing CA's and that of every alias whose
//             end entity profile chose another (issue 12). 503 names what is not ready; nothing is remembered, so the
//             instance returns to 200 by itself when the database comes back.
//
// lib/ops sits at the top beside the console: it reads through lib/db and lib/ca and is called
// only by server.ts.
import { loadIssuingCa } from "@/lib/ca/authorities";
import { loadIssuingAuthority } from "@/lib/ca/chains";
import type { Db } from "@/lib/db/client";
import { findAliasProfileCaIds, findAppliedMigrationNames, pingDatabase } from "@/lib/db/sql/operations";

/** A probe that takes longer than this counts as failed: a load balancer's own timeout is ~5 s. */
const CHECK_TIMEOUT_MS = 2_000;
/** Probes arriving within this window share one answer, so a flood of probes is one query. */
const READINESS_REUSE_MS = 1_000;

export type ReadinessCheckName = "database" | "migrations" | "certificateAuthorities";

export type Readiness = {
  ready: boolean;
  /** Each check: "ok", or why not. */
  checks: Record<ReadinessCheckName, string>;
};

// The migrations this build ships, told by server.ts at start (it reads prisma/migrations; the
// Next app's bundle, which shows readiness on the overview, cannot). On globalThis: the bundle
// has its own copy of this module.
const EXPECTED_MIGRATIONS_KEY = Symbol.for("keyward.expected-migrations");
type MigrationsHolder = { [EXPECTED_MIGRATIONS_KEY]?: readonly string[] };

/** Called once by server.ts with the migration folders of this build. */
export function expectMigrations(names: readonly string[]): void {
  (globalThis as MigrationsHolder)[EXPECTED_MIGRATIONS_KEY] = [...names];
}

function withTimeout<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${what} did not answer within ${CHECK_TIMEOUT_MS} ms`)),
      CHECK_TIMEOUT_MS,
    );
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function reason(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  // One line, bounded: the body is for operators, not a stack trace.
  return message.split("\n")[0]?.slice(0, 200) ?? "failed";
}

async function checkDatabase(db: Db): Promise<string> {
  try {
    await withTimeout(pingDatabase(db), "the database");
    return "ok";
  } catch (err) {
    return `unavailable: ${reason(err)}`;
  }
}

async function checkMigrations(db: Db): Promise<string> {
  try {
    const expected = (globalThis as MigrationsHolder)[EXPECTED_MIGRATIONS_KEY];
    if (!expected) return "not checked: this process was not started by Keyward's server (server.ts)";
    const applied = await withTimeout(findAppliedMigrationNames(db), "the database");
    const appliedSet = new Set(applied);
    const missing = expected.filter((name) => !appliedSet.has(name));
    return missing.length === 0
      ? "ok"
      : `${missing.length} not applied (first: ${missing[0]}); run npm run db:migrate`;
  } catch (err) {
    return `not checked: ${reason(err)}`;
  }
}

async function checkCertificateAuthorities(db: Db, now: Date): Promise<string> {
  try {
    // Cached after the first load: this costs nothing once the key is unsealed.
    const issuing = await withTimeout(loadIssuingCa(db), "loading the issuing CA");
    const cas: { role: string; name: string; notBefore: Date; notAfter: Date }[] = [issuing, issuing.root];
    // Issue 12: every other issuing CA an alias issues from through its end entity profile must be
    // usable too, or that alias's orders would fail at finalize.
    for (const id of await withTimeout(findAliasProfileCaIds(db), "the database")) {
      const ca = await withTimeout(loadIssuingAuthority(db, id), `loading issuing CA ${id}`);
      cas.push(ca);
    }
    for (const ca of cas) {
      if (ca.notAfter <= now) return `${ca.role} CA "${ca.name}" expired at ${ca.notAfter.toISOString()}`;
      if (ca.notBefore > now)
        return `${ca.role} CA "${ca.name}" is not valid before ${ca.notBefore.toISOString()}`;
    }
    return "ok";
  } catch (err) {
    return `issuing CA not loaded: ${reason(err)}`;
  }
}

async function evaluate(db: Db, now: Date): Promise<Readiness> {
  const [database, migrations, certificateAuthorities] = await Promise.all([
    checkDatabase(db),
    checkMigrations(db),
    checkCertificateAuthorities(db, now),
  ]);
  const checks = { database, migrations, certificateAuthorities };
  return { ready: Object.values(checks).every((c) => c === "ok"), checks };
}

let recent: { at: number; result: Promise<Readiness> } | undefined;

/** Whether this instance can serve now (shared by probes within READINESS_REUSE_MS). */
export function checkReadiness(db: Db, now = new Date()): Promise<Readiness> {
  if (recent && now.getTime() - recent.at < READINESS_REUSE_MS && now.getTime() >= recent.at) {
    return recent.result;
  }
  const result = evaluate(db, now);
  recent = { at: now.getTime(), result };
  return result;
}
