// Operating Keyward (issue 17): what a load balancer, Prometheus and an operator's log system
// see of a running server.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyMigrations } from "@/lib/db/migrate";
import { type PrivatePostgres, startPrivatePostgres } from "../support/private-postgres";
import { type RunningServer, startServer } from "../support/server-process";
import { createFreshDatabase } from "../support/test-db";

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
  let pg: PrivatePostgres;
  let server: RunningServer;

  beforeAll(async () => {
    pg = await startPrivatePostgres();
    const database = await createFreshDatabase(pg.url, "ready");
    await applyMigrations(database.url);
    server = await startServer({
      DATABASE_URL: database.url,
      KEYWARD_DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), "keyward-ops-")),
    });
  }, 180_000);

  afterAll(async () => {
    await server?.stop();
    pg?.destroy();
  });

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
    } finally {
      pg.start();
    }
    const up = await waitForStatus(`${server.httpUrl}/readyz`, 200);
    expect((await up.json()).status).toBe("ready");
  }, 60_000);
});
