// Operating Keyward (issue 17): what a load balancer, Prometheus and an operator's log system
// see of a running server. One Keyward of its own on a private PostgreSQL cluster, so that every
// counter moves only by what this file does and the cluster can be stopped under it (last).
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import * as acme from "acme-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, type Db } from "@/lib/db/client";
import { applyMigrations } from "@/lib/db/migrate";
import { setAcmeEnabled } from "@/lib/ra/global-settings";
import { type Http01Responder, startHttp01Responder } from "../support/challenge-responders";
import { type ChallTestSrv, startChallTestSrv } from "../support/challtestsrv";
import { createTestUserWithToken } from "../support/console-tokens";
import { getFrom, parseSamples, sampleValue } from "../support/metrics";
import { freePort } from "../support/ports";
import { type PrivatePostgres, startPrivatePostgres } from "../support/private-postgres";
import { type RunningServer, startServer } from "../support/server-process";
import { createFreshDatabase } from "../support/test-db";

// The one source address that may read /metrics without a token (KEYWARD_METRICS_ALLOW below);
// plain requests come from 127.0.0.1 and need a token.
const METRICS_ALLOWED_ADDRESS = "127.0.0.3";

let pg: PrivatePostgres;
let server: RunningServer;
let db: Db;
let dns: ChallTestSrv;
let http01: Http01Responder;
let auditorToken: string;
/** Every secret this file creates or configures: none may appear in the server's log. */
const secrets: string[] = [];
const ADMIN_PASSWORD = `Adm1n-${randomBytes(12).toString("base64url")}`;
secrets.push(ADMIN_PASSWORD);

beforeAll(async () => {
  pg = await startPrivatePostgres();
  const database = await createFreshDatabase(pg.url, "ops");
  await applyMigrations(database.url);
  dns = await startChallTestSrv();
  const http01Port = await freePort();
  http01 = await startHttp01Responder(http01Port);
  server = await startServer({
    DATABASE_URL: database.url,
    KEYWARD_DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), "keyward-ops-")),
    KEYWARD_VA_HTTP01_PORT: String(http01Port),
    KEYWARD_VA_TLSALPN01_PORT: String(await freePort()),
    KEYWARD_METRICS_ALLOW: `${METRICS_ALLOWED_ADDRESS}/32`,
    KEYWARD_ADMIN_PASSWORD: ADMIN_PASSWORD,
  });
  db = createDb(database.url, 2);
  await setAcmeEnabled(db, true, "system");
  await db.alias.updateMany({
    where: { name: "default" },
    data: { settings: { dnsResolver: "127.0.0.1", dnsPort: dns.dnsPort } },
  });
  auditorToken = (await createTestUserWithToken(db, "auditor")).token;
  secrets.push(auditorToken);
}, 180_000);

afterAll(async () => {
  await server?.stop();
  await db?.$disconnect();
  await http01?.close();
  await dns?.stop();
  pg?.destroy();
});

async function scrape(): Promise<string> {
  const res = await fetch(`${server.httpUrl}/metrics`, {
    headers: { authorization: `Bearer ${auditorToken}` },
  });
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
  return res.text();
}

/** A whole acme-client flow over http-01 for `names`; returns the certificate (PEM chain). */
async function issue(client: acme.Client, names: string[]): Promise<string> {
  const [, csr] = await acme.crypto.createCsr({ altNames: names });
  return client.auto({
    csr,
    termsOfServiceAgreed: true,
    challengePriority: ["http-01"],
    skipChallengeVerification: true,
    challengeCreateFn: async (_authz, challenge, keyAuthorization) =>
      http01.set(challenge.token, keyAuthorization),
    challengeRemoveFn: async (_authz, challenge) => http01.delete(challenge.token),
  });
}

describe("metrics", () => {
  it("fail/without a token only KEYWARD_METRICS_ALLOW may read; a token needs the auditor or administrator role", async () => {
    const anonymous = await fetch(`${server.httpUrl}/metrics`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get("www-authenticate")).toBe('Bearer realm="keyward"');
    expect(anonymous.headers.get("content-type")).toBe("application/problem+json");
    expect((await anonymous.json()).type).toBe("urn:ietf:params:acme:error:unauthorized");

    const allowed = await getFrom(`${server.httpUrl}/metrics`, METRICS_ALLOWED_ADDRESS);
    expect(allowed.status).toBe(200);
    expect(allowed.body).toContain("keyward_acme_requests_total");

    for (const bad of ["Bearer kw_notatoken", "Basic YWRtaW46cGFzc3dvcmQ=", "Bearer"]) {
      const res = await fetch(`${server.httpUrl}/metrics`, { headers: { authorization: bad } });
      expect(res.status, bad).toBe(401);
    }
    const approver = await createTestUserWithToken(db, "approver");
    secrets.push(approver.token);
    const refused = await fetch(`${server.httpUrl}/metrics`, {
      headers: { authorization: `Bearer ${approver.token}` },
    });
    expect(refused.status).toBe(403);
    expect((await refused.json()).detail).toMatch(/auditor or administrator/);
    const administrator = await createTestUserWithToken(db, "administrator");
    secrets.push(administrator.token);
    const admitted = await fetch(`${server.httpUrl}/metrics`, {
      headers: { authorization: `Bearer ${administrator.token}` },
    });
    expect(admitted.status).toBe(200);
  });

  it("counters move by exactly what an issuance and a revocation did; promtool accepts the output", async () => {
    const before = parseSamples(await scrape());
    expect(sampleValue(before, "keyward_certificates_issued_total")).toBe(0);

    const client = new acme.Client({
      directoryUrl: `${server.httpUrl}/acme/directory`,
      accountKey: await acme.crypto.createPrivateKey(),
      backoffMin: 100,
      backoffMax: 500,
      backoffAttempts: 30,
    });
    const names = ["one.metrics.test", "two.metrics.test"];
    const certificate = await issue(client, names);
    await client.revokeCertificate(certificate, { reason: 1 });
    // A request the front end refuses: an unsigned body where a JWS belongs.
    const junk = await fetch(`${server.httpUrl}/acme/newOrder`, {
      method: "POST",
      headers: { "content-type": "application/jose+json" },
      body: "{}",
    });
    expect(junk.status).toBe(400);

    const text = await scrape();
    const after = parseSamples(text);
    const issuing = await db.certificateAuthority.findFirstOrThrow({ where: { role: "issuing" } });
    const value = (name: string, labels: Record<string, string> = {}) => sampleValue(after, name, labels);

    // One order, one certificate, one validation per name, one revocation.
    expect(value("keyward_certificates_issued_total", { alias: "default", ca: issuing.name })).toBe(1);
    expect(value("keyward_certificates_issued_total")).toBe(1);
    expect(value("keyward_validations_total", { alias: "default", type: "http-01", result: "valid" })).toBe(
      2,
    );
    expect(value("keyward_validations_total")).toBe(2);
    expect(value("keyward_validation_duration_seconds_count", { type: "http-01" })).toBe(2);
    expect(value("keyward_certificates_revoked_total", { alias: "default", reason: "keyCompromise" })).toBe(
      1,
    );
    const requests = (resource: string, status?: string) =>
      value("keyward_acme_requests_total", { alias: "default", resource, ...(status ? { status } : {}) });
    expect(requests("newOrder", "201")).toBe(1);
    expect(requests("finalize", "200")).toBe(1);
    expect(requests("newAccount", "201")).toBe(1);
    // Two responses to challenges, then acme-client polls them (POST-as-GET) as long as it likes.
    expect(requests("challenge", "200")).toBeGreaterThanOrEqual(2);
    expect(requests("revokeCert", "200")).toBe(1);
    expect(value("keyward_acme_problems_total", { alias: "default", type: "malformed" })).toBe(1);
    expect(value("keyward_acme_problems_total")).toBe(1);
    // Every POST that passed the nonce check used one nonce: all but the junk one.
    const posts = after
      .filter(
        (s) =>
          s.name === "keyward_acme_requests_total" &&
          !["directory", "newNonce"].includes(s.labels.resource as string),
      )
      .reduce((sum, s) => sum + s.value, 0);
    expect(value("keyward_nonces_redeemed_total")).toBe(posts - 1);
    expect(
      value("keyward_acme_request_duration_seconds_count", { alias: "default", resource: "newOrder" }),
    ).toBe(2); // the order and the junk

    // Gauges read from the database at the scrape.
    expect(value("keyward_orders", { status: "valid" })).toBe(1);
    expect(value("keyward_orders", { status: "pending" })).toBe(0);
    expect(value("keyward_validation_jobs", { state: "done" })).toBe(2);
    const now = Date.now() / 1000;
    expect(value("keyward_ca_certificate_expiry_timestamp_seconds", { ca: issuing.name })).toBe(
      issuing.notAfter.getTime() / 1000,
    );
    expect(value("keyward_crl_next_update_timestamp_seconds", { ca: issuing.name })).toBeGreaterThan(now);
    expect(after.some((s) => s.name === "keyward_db_pool_connections" && s.labels.state === "in_use")).toBe(
      true,
    );
    expect(value("process_cpu_user_seconds_total")).toBeGreaterThan(0);

    // No label carries an identifier: the client-chosen names and the account id appear nowhere.
    const accountId = client.getAccountUrl().split("/").pop() as string;
    for (const secretish of [...names, accountId]) expect(text).not.toContain(secretish);

    // Debian's promtool: exit 0 means the exposition parses and passes its lint.
    execFileSync("promtool", ["check", "metrics"], { input: text, timeout: 30_000 });
  });

  it("a real Prometheus scrapes Keyward with an auditor's token and answers keyward_certificates_issued_total", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "keyward-prom-"));
    const target = new URL(server.httpUrl).host;
    fs.writeFileSync(
      path.join(dir, "prometheus.yml"),
      [
        "global: { scrape_interval: 1s, scrape_timeout: 1s }",
        "scrape_configs:",
        "  - job_name: keyward",
        "    metrics_path: /metrics",
        `    authorization: { type: Bearer, credentials: "${auditorToken}" }`,
        `    static_configs: [{ targets: ["${target}"] }]`,
        "",
      ].join("\n"),
    );
    const port = await freePort();
    const prometheus: ChildProcess = spawn(
      "/usr/bin/prometheus",
      [
        `--config.file=${path.join(dir, "prometheus.yml")}`,
        `--storage.tsdb.path=${path.join(dir, "data")}`,
        `--web.listen-address=127.0.0.1:${port}`,
      ],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    let log = "";
    prometheus.stderr?.on("data", (d) => (log += d));
    const exited = new Promise((resolve) => prometheus.once("exit", resolve));
    try {
      let result: { metric: Record<string, string>; value: [number, string] }[] = [];
      for (let attempt = 0; attempt < 80 && result.length === 0; attempt++) {
        await new Promise((resolve) => setTimeout(resolve, 500));
        const res = await fetch(
          `http://127.0.0.1:${port}/api/v1/query?query=${encodeURIComponent("keyward_certificates_issued_total")}`,
        ).catch(() => undefined);
        if (res?.ok) result = (await res.json()).data.result;
      }
      expect(result, log).toHaveLength(1);
      expect(result[0]?.metric).toMatchObject({ alias: "default", job: "keyward" });
      expect(result[0]?.value[1]).toBe("1");
    } finally {
      process.kill(prometheus.pid as number, "SIGTERM");
      const timer = setTimeout(() => prometheus.pid && process.kill(prometheus.pid, "SIGKILL"), 10_000);
      await exited;
      clearTimeout(timer);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);
});

describe("console overview", () => {
  it("shows readiness, each CA's end of validity and each CRL's next update, without warnings on a new CA", async () => {
    const res = await fetch(`${server.httpUrl}/api/console/overview`, {
      headers: { authorization: `Bearer ${auditorToken}` },
    });
    expect(res.status).toBe(200);
    const { operations } = await res.json();
    expect(operations.readiness).toEqual({
      ready: true,
      checks: { database: "ok", migrations: "ok", certificateAuthorities: "ok" },
    });
    const cas = await db.certificateAuthority.findMany({ orderBy: { role: "asc" } });
    expect(operations.certificateAuthorities).toHaveLength(cas.length);
    for (const ca of operations.certificateAuthorities) {
      expect(ca.warning).toBeNull();
      expect(ca.notAfter).toBe(cas.find((c) => c.name === ca.name)?.notAfter.toISOString());
    }
    expect(operations.crls.length).toBeGreaterThanOrEqual(1);
    expect(operations.crls.every((c: { warning: string | null }) => c.warning === null)).toBe(true);
  });
});

describe("logs", () => {
  const MACHINE_LINE = /^KEYWARD_(READY|STATS) \{/;

  /** The server's log so far, each line parsed (machine lines for scripts left out). */
  function logLines(): Record<string, unknown>[] {
    return server
      .output()
      .split("\n")
      .filter((line) => line !== "" && !MACHINE_LINE.test(line))
      .map((line) => {
        try {
          return JSON.parse(line) as Record<string, unknown>;
        } catch {
          throw new Error(`not a JSON log line: ${line}`);
        }
      });
  }

  it("each console request gets an X-Request-Id, a log line with it, and the audit record of its change names it", async () => {
    const admin = await createTestUserWithToken(db, "administrator");
    secrets.push(admin.token);
    const headers = { authorization: `Bearer ${admin.token}`, "content-type": "application/json" };

    const eab = await fetch(`${server.httpUrl}/api/console/aliases/default/eab-keys`, {
      method: "POST",
      headers,
      body: JSON.stringify({ type: "mac" }),
    });
    expect(eab.status).toBe(201);
    const requestId = eab.headers.get("x-request-id") as string;
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    const created = await eab.json();
    secrets.push(created.secret.hmacKey);

    const token = await fetch(`${server.httpUrl}/api/console/tokens`, {
      method: "POST",
      headers,
      body: JSON.stringify({ name: "log test", role: "auditor" }),
    });
    expect(token.status).toBe(201);
    secrets.push((await token.json()).token);
    const user = await fetch(`${server.httpUrl}/api/console/users`, {
      method: "POST",
      headers,
      body: JSON.stringify({ username: `log-${randomBytes(3).toString("hex")}`, role: "approver" }),
    });
    expect(user.status).toBe(201);
    secrets.push((await user.json()).oneTimePassword);
    // Bad input that carries a secret: refused, and the secret is not repeated in the log.
    const weak = `weak-${randomBytes(4).toString("hex")}`;
    secrets.push(weak);
    const refused = await fetch(`${server.httpUrl}/api/console/users`, {
      method: "POST",
      headers,
      body: JSON.stringify({ username: "x y", role: "approver", password: weak }),
    });
    expect(refused.status).toBe(422);
    // A request id from someone who is not a trusted proxy is not believed.
    const forged = await fetch(`${server.httpUrl}/healthz`, {
      headers: { "x-request-id": "forged-request-id" },
    });
    expect(forged.headers.get("x-request-id")).not.toBe("forged-request-id");

    const audit = await db.auditEvent.findFirstOrThrow({ where: { action: "eab.created" } });
    expect(audit.requestId).toBe(requestId);
    const listed = await fetch(`${server.httpUrl}/api/console/audit?action=eab.created`, { headers });
    expect((await listed.json()).items[0]).toMatchObject({ action: "eab.created", requestId });

    // The line is written when the response is closed: give it a moment.
    let line: Record<string, unknown> | undefined;
    for (let i = 0; i < 20 && !line; i++) {
      line = logLines().find((l) => l.requestId === requestId && l.msg === "request");
      if (!line) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(line).toMatchObject({
      level: "info",
      method: "POST",
      path: "/api/console/aliases/default/eab-keys",
      status: 201,
      listener: "http",
    });
    expect(typeof line?.durationMs).toBe("number");
    expect(typeof line?.time).toBe("string");
  });

  it("ACME requests log their alias; the whole log parses as JSON lines and holds none of the secrets", async () => {
    const lines = logLines();
    const acmeLine = lines.find((l) => l.msg === "request" && String(l.path).startsWith("/acme/"));
    expect(acmeLine).toMatchObject({
      alias: "default",
      method: expect.any(String),
      status: expect.any(Number),
    });
    expect(lines.every((l) => typeof l.level === "string" && typeof l.time === "string")).toBe(true);
    const log = server.output();
    expect(secrets.length).toBeGreaterThanOrEqual(8);
    for (const secret of secrets) {
      expect(secret.length).toBeGreaterThan(7);
      expect(log.includes(secret), "a secret is in the log").toBe(false);
    }
  });
});

/** Polls `url` until it answers `status`, at most `attempts` times; returns the last answer. */
async function waitForStatus(url: string, status: number, attempts = 60): Promise<Response> {
  let last: Response | undefined;
  for (let i = 0; i < attempts; i++) {
    last = await fetch(url).catch(() => undefined);
    if (last?.status === status) return last;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${url} did not answer ${status} (last: ${last?.status})`);
}

describe("health and readiness", () => {
  it("/healthz answers 200 while the process runs; /readyz is 200 with every check ok", async () => {
    const health = await fetch(`${server.httpUrl}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: "ok" });
    const ready = await fetch(`${server.httpUrl}/readyz`);
    expect(ready.status).toBe(200);
    expect(ready.headers.get("cache-control")).toBe("no-store");
    expect(await ready.json()).toEqual({
      status: "ready",
      checks: { database: "ok", migrations: "ok", certificateAuthorities: "ok" },
    });
  });

  it("fail/methods other than GET and HEAD get 405 with Allow", async () => {
    const res = await fetch(`${server.httpUrl}/readyz`, { method: "POST", body: "{}" });
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("GET, HEAD");
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    const head = await fetch(`${server.httpUrl}/healthz`, { method: "HEAD" });
    expect(head.status).toBe(200);
  });

  it("/readyz goes 503 naming the database while PostgreSQL is stopped, and 200 again after it restarts", async () => {
    pg.stop();
    try {
      const down = await waitForStatus(`${server.httpUrl}/readyz`, 503);
      expect(down.headers.get("retry-after")).toBe("5");
      const body = await down.json();
      expect(body.status).toBe("not ready");
      expect(body.notReady).toContain("database");
      expect(body.checks.database).toMatch(/^unavailable: /);
      // The process itself is alive: a load balancer takes it out, an orchestrator does not kill it.
      expect((await fetch(`${server.httpUrl}/healthz`)).status).toBe(200);
      // A scrape still answers (process metrics and counters), without the database's gauges.
      const metrics = await getFrom(`${server.httpUrl}/metrics`, METRICS_ALLOWED_ADDRESS);
      expect(metrics.status).toBe(200);
      expect(metrics.body).toContain("keyward_certificates_issued_total");
    } finally {
      pg.start();
    }
    const up = await waitForStatus(`${server.httpUrl}/readyz`, 200);
    expect((await up.json()).status).toBe("ready");
  }, 60_000);
});
