// Faults a running CA meets (issue 14 item 9), each against a Keyward of its own: PostgreSQL
// restarted in the middle of a load (a private cluster made with initdb for the test), SIGTERM
// while a validation is running, and validation targets that hang or flood beside a good one.
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import * as acme from "acme-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, type Db } from "@/lib/db/client";
import { applyMigrations } from "@/lib/db/migrate";
import { setAcmeEnabled } from "@/lib/ra/global-settings";
import { type ChallTestSrv, startChallTestSrv } from "../support/challtestsrv";
import { freePort } from "../support/ports";
import { type PrivatePostgres, startPrivatePostgres } from "../support/private-postgres";
import { type RunningServer, startServer } from "../support/server-process";
import { createFreshDatabase } from "../support/test-db";

/** An http-01 target whose behaviour depends on the Host it is asked for. */
type Behaviour = "good" | "slow-headers" | "endless-body" | "redirect-loop";

let pg: PrivatePostgres;
let dns: ChallTestSrv;
const tokens = new Map<string, string>();
let behaviourOf: (host: string) => Behaviour = () => "good";
let slowResponseMs = 0;
let target: http.Server;
let targetPort: number;

beforeAll(async () => {
  pg = await startPrivatePostgres();
  dns = await startChallTestSrv();
  targetPort = await freePort();
  target = http.createServer((req, res) => {
    const host = (req.headers.host ?? "").split(":")[0] as string;
    const token = req.url?.split("/").pop() ?? "";
    switch (behaviourOf(host)) {
      case "slow-headers":
        return; // never answers: the VA's deadline ends it
      case "endless-body":
        res.writeHead(200, { "content-type": "text/plain" });
        for (let i = 0; i < 1000; i++) res.write("x".repeat(8192));
        return; // and keeps the response open
      case "redirect-loop":
        res.writeHead(302, {
          location: `http://${host}/.well-known/acme-challenge/${token}?${Math.random()}`,
        });
        return res.end();
      default:
        setTimeout(() => res.writeHead(200).end(tokens.get(token) ?? ""), slowResponseMs);
    }
  });
  await new Promise<void>((resolve) => target.listen(targetPort, "127.0.0.1", resolve));
}, 120_000);

afterAll(async () => {
  target?.closeAllConnections();
  await new Promise((resolve) => target?.close(resolve));
  await dns?.stop();
  pg?.destroy();
});

async function startKeyward(
  databaseUrl: string,
): Promise<{ server: RunningServer; db: Db; directoryUrl: string }> {
  const server = await startServer({
    DATABASE_URL: databaseUrl,
    KEYWARD_DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), "keyward-res-")),
    KEYWARD_VA_HTTP01_PORT: String(targetPort),
    KEYWARD_VA_TLSALPN01_PORT: String(await freePort()),
  });
  const db = createDb(databaseUrl, 2);
  await setAcmeEnabled(db, true, "system");
  await db.alias.updateMany({
    where: { name: "default" },
    data: { settings: { dnsResolver: "127.0.0.1", dnsPort: dns.dnsPort } },
  });
  return { server, db, directoryUrl: `${server.httpUrl}/acme/directory` };
}

/** One client's whole flow for `name`: account, order, http-01, finalize, certificate. */
async function issue(directoryUrl: string, name: string): Promise<string> {
  const c = new acme.Client({
    directoryUrl,
    accountKey: await acme.crypto.createPrivateKey(),
    backoffMin: 100,
    backoffMax: 500,
    backoffAttempts: 60,
  });
  await c.createAccount({ termsOfServiceAgreed: true });
  const order = await c.createOrder({ identifiers: [{ type: "dns", value: name }] });
  const [authz] = await c.getAuthorizations(order);
  const challenge = authz?.challenges.find((ch) => ch.type === "http-01");
  if (!challenge) throw new Error("no http-01 challenge");
  tokens.set(challenge.token, await c.getChallengeKeyAuthorization(challenge));
  await c.completeChallenge(challenge);
  await c.waitForValidStatus(challenge);
  const [, csr] = await acme.crypto.createCsr({ altNames: [name] });
  const finalized = await c.finalizeOrder(order, csr);
  return c.getCertificate(await c.waitForValidStatus(finalized));
}

describe("PostgreSQL restarted in the middle of a load", () => {
  it("requests in the gap get 503 with Retry-After; nothing half-written; every client finishes", async () => {
    const database = await createFreshDatabase(pg.url, "restart");
    await applyMigrations(database.url);
    const { server, db, directoryUrl } = await startKeyward(database.url);
    try {
      const flows = Array.from({ length: 4 }, (_, i) => issue(directoryUrl, `load${i}.restart.test`));
      // Let the flows get going, then take the database away for a few seconds.
      await new Promise((resolve) => setTimeout(resolve, 400));
      pg.stop();
      const during = await fetch(directoryUrl);
      expect(during.status).toBe(503);
      expect(during.headers.get("content-type")).toBe("application/problem+json");
      expect(Number(during.headers.get("retry-after"))).toBeGreaterThan(0);
      expect((await during.json()).type).toBe("urn:ietf:params:acme:error:serverInternal");
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      pg.start();

      const certificates = await Promise.all(flows);
      for (const pem of certificates) expect(pem).toContain("BEGIN CERTIFICATE");
      // Nothing half-written: every order ended valid, none processing or without its certificate.
      const orders = await db.order.findMany({ include: { certificate: { select: { id: true } } } });
      expect(orders).toHaveLength(4);
      for (const order of orders)
        expect({ status: order.status, certificate: !!order.certificate }).toEqual({
          status: "valid",
          certificate: true,
        });
      expect(await db.validationJob.count({ where: { status: { not: "done" } } })).toBe(0);
    } finally {
      await server.stop();
      await db.$disconnect();
      pg.start(); // if an assertion failed while it was down
      await database.drop().catch(() => {});
    }
  }, 180_000);
});

describe("SIGTERM", () => {
  it("stops accepting, lets the running validation finish and leaves no job claimed", async () => {
    const database = await createFreshDatabase(pg.url, "sigterm");
    await applyMigrations(database.url);
    const { server, db, directoryUrl } = await startKeyward(database.url);
    slowResponseMs = 2_000;
    try {
      const c = new acme.Client({ directoryUrl, accountKey: await acme.crypto.createPrivateKey() });
      await c.createAccount({ termsOfServiceAgreed: true });
      const order = await c.createOrder({ identifiers: [{ type: "dns", value: "drain.sigterm.test" }] });
      const [authz] = await c.getAuthorizations(order);
      const challenge = authz?.challenges.find((ch) => ch.type === "http-01");
      if (!challenge) throw new Error("no http-01 challenge");
      tokens.set(challenge.token, await c.getChallengeKeyAuthorization(challenge));
      await c.completeChallenge(challenge);
      // The validation now waits 2 s for the target; stop the server meanwhile.
      await new Promise((resolve) => setTimeout(resolve, 300));
      const stopping = server.stop();
      await new Promise((resolve) => setTimeout(resolve, 200));
      await expect(fetch(directoryUrl)).rejects.toThrow(); // no longer accepting
      expect(await stopping).toBe(0);
      expect(await db.validationJob.count({ where: { status: "running" } })).toBe(0);
      const stored = await db.challenge.findFirstOrThrow({ where: { token: challenge.token } });
      expect(stored.status).toBe("valid");
    } finally {
      slowResponseMs = 0;
      await server.stop();
      await db.$disconnect();
      await database.drop().catch(() => {});
    }
  }, 120_000);
});

describe("validation targets that hang or flood", () => {
  it("never hold other validations: a good target validates while three hostile ones run out their deadlines", async () => {
    const database = await createFreshDatabase(pg.url, "hostile");
    await applyMigrations(database.url);
    const { server, db, directoryUrl } = await startKeyward(database.url);
    const hostile: Record<string, Behaviour> = {
      "slow.hostile.test": "slow-headers",
      "flood.hostile.test": "endless-body",
      "loop.hostile.test": "redirect-loop",
    };
    behaviourOf = (host) => hostile[host] ?? "good";
    try {
      const finished: string[] = [];
      const attempts = Object.keys(hostile).map((name) =>
        issue(directoryUrl, name).then(
          () => "issued",
          () => {
            finished.push(name);
            return "refused";
          },
        ),
      );
      expect(await issue(directoryUrl, "good.hostile.test")).toContain("BEGIN CERTIFICATE");
      finished.push("good.hostile.test");
      expect(await Promise.all(attempts)).toEqual(["refused", "refused", "refused"]);
      // The good one did not wait for the target that never answers: it was issued before that
      // one's 10 s deadline ran out (the flooding and looping targets fail fast either way).
      expect(finished.indexOf("good.hostile.test")).toBeLessThan(finished.indexOf("slow.hostile.test"));
      const failed = await db.challenge.findMany({ where: { status: "invalid" }, select: { error: true } });
      expect(failed).toHaveLength(3);
    } finally {
      behaviourOf = () => "good";
      await server.stop();
      await db.$disconnect();
      await database.drop().catch(() => {});
    }
  }, 120_000);
});
