// Faults a CA must survive without leaving an order stuck (issue 14 item 8): the server killed
// between signing a certificate and storing it, and a store that fails. Each run here has its own
// Keyward on its own fresh database, restarted on the same ports and data directory.
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import * as acme from "acme-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, type Db } from "@/lib/db/client";
import { startEmbeddedDatabase } from "@/lib/db/embedded";
import { RANDOM_PLACEHOLDER } from "@/lib/ra/end-entities";
import { setAcmeEnabled } from "@/lib/ra/global-settings";
import { type Http01Responder, startHttp01Responder } from "../support/challenge-responders";
import { createTestUserWithToken } from "../support/console-tokens";
import { freePort } from "../support/ports";
import { type RunningServer, startServer } from "../support/server-process";
import { createFreshDatabase } from "../support/test-db";

const LEASE_SECONDS = 2;
let databaseUrl: string;
let dropDatabase: () => Promise<void>;
let dataDir: string;
let env: Record<string, string>;
let http01: Http01Responder;
let db: Db;
let server: RunningServer | undefined;

beforeAll(async () => {
  // acme-client retries 5xx answers and lost connections with growing pauses; these tests look
  // at the first answer.
  (
    acme.axios.defaults as unknown as { acmeSettings: { retryMaxAttempts: number } }
  ).acmeSettings.retryMaxAttempts = 0;
  dataDir = await fs.mkdtemp(path.join(os.tmpdir(), "keyward-faults-"));
  if (process.env.DATABASE_URL) {
    const fresh = await createFreshDatabase(process.env.DATABASE_URL, "faults");
    databaseUrl = fresh.url;
    dropDatabase = fresh.drop;
  } else {
    const embedded = await startEmbeddedDatabase({ dataDir: path.join(dataDir, "db") });
    databaseUrl = embedded.url;
    dropDatabase = embedded.stop;
  }
  const http01Port = await freePort();
  env = {
    DATABASE_URL: databaseUrl,
    KEYWARD_DATA_DIR: dataDir,
    KEYWARD_HTTP_PORT: String(await freePort()),
    KEYWARD_HTTPS_PORT: String(await freePort()),
    KEYWARD_VA_HTTP01_PORT: String(http01Port),
    KEYWARD_VA_TLSALPN01_PORT: String(await freePort()),
    KEYWARD_ISSUANCE_LEASE_SECONDS: String(LEASE_SECONDS),
  };
  http01 = await startHttp01Responder(http01Port);
}, 120_000);

afterAll(async () => {
  await server?.stop();
  await db?.$disconnect();
  await http01?.close();
  await dropDatabase?.();
  await fs.rm(dataDir, { recursive: true, force: true });
}, 60_000);

/** An account and a ready order for 127.0.0.1 (RFC 8738) on the default alias. */
async function readyOrder(directoryUrl: string) {
  const client = new acme.Client({
    directoryUrl,
    accountKey: await acme.crypto.createPrivateKey(),
    backoffMin: 100,
    backoffMax: 300,
    backoffAttempts: 50,
  });
  await client.createAccount({ termsOfServiceAgreed: true });
  const order = await client.createOrder({ identifiers: [{ type: "ip", value: "127.0.0.1" }] });
  const [authz] = await client.getAuthorizations(order);
  const challenge = authz?.challenges.find((c) => c.type === "http-01");
  if (!challenge) throw new Error("no http-01 challenge");
  http01.set(challenge.token, await client.getChallengeKeyAuthorization(challenge));
  await client.completeChallenge(challenge);
  await client.waitForValidStatus(challenge);
  const [, csr] = await acme.crypto.createCsr({ altNames: ["127.0.0.1"] });
  return { client, order, csr };
}

describe("orders never stuck in processing", () => {
  it("killed between signing and storing: after a restart the order is finished from its stored CSR", async () => {
    server = await startServer({ ...env, KEYWARD_TEST_FAULT: "exit-after-signing" });
    db = createDb(databaseUrl, 2);
    await setAcmeEnabled(db, true, "system");
    // Issue 12 item 3: the alias issues from a sub-CA its end entity profile names; the order
    // resumed after the restart must be signed by that CA again, not by the default one.
    const { token } = await createTestUserWithToken(db, "administrator");
    const httpUrl = server.httpUrl;
    const api = async (method: string, pathname: string, body: unknown) => {
      const res = await fetch(`${httpUrl}/api/console${pathname}`, {
        method,
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      const json = await res.json();
      if (!res.ok) throw new Error(`${pathname}: ${res.status} ${JSON.stringify(json)}`);
      return json;
    };
    const root = await db.certificateAuthority.findFirstOrThrow({ where: { role: "root" } });
    const sub = await api("POST", "/certificate-authorities", {
      kind: "sub",
      parentId: root.id,
      subjectDn: "CN=Faults Sub CA",
    });
    await api("POST", "/end-entity-profiles", { name: "faults", defaultCa: sub.name });
    const alias = await db.alias.findFirstOrThrow();
    // Issue 12 item 4: a random prefix, so the resumed issuance must find the end entity its first
    // attempt reset rather than name a new one.
    await api("PATCH", `/aliases/${alias.name}`, {
      settings: { endEntityProfile: "faults", raNameGenPrefix: `${RANDOM_PLACEHOLDER}-` },
    });
    const directoryUrl = `${server.httpUrl}/acme/directory`;
    const { client, order, csr } = await readyOrder(directoryUrl);

    // The server dies inside finalize: the client sees the connection go, not an answer.
    await expect(client.finalizeOrder(order, csr)).rejects.toThrow();
    expect(await server.stop()).not.toBe(0);
    const orderId = order.url.split("/").pop() as string;
    const left = await db.order.findUniqueOrThrow({ where: { id: orderId } });
    expect(left.status).toBe("processing");
    expect(left.csr).not.toBeNull();
    expect(await db.certificate.count({ where: { orderId } })).toBe(0);
    // Reset to NEW before signing, durably.
    const enrolled = await db.endEntity.findFirstOrThrow({ where: { orderId } });
    expect(enrolled.status).toBe("NEW");
    expect(enrolled.username).toMatch(new RegExp(`^[A-Z2-7]{12}-${orderId}$`));

    // Same database, data directory and ports, without the fault: once the lease has run out,
    // the sweeper finishes the order and the client can download its certificate.
    server = await startServer(env);
    const finished = await client.waitForValidStatus(order);
    expect(finished.status).toBe("valid");
    const certificate = await client.getCertificate(finished);
    expect(certificate).toContain("BEGIN CERTIFICATE");
    const stored = await db.order.findUniqueOrThrow({ where: { id: orderId } });
    expect(stored).toMatchObject({ status: "valid", csr: null, processingUntil: null });
    const audit = await db.auditEvent.findFirstOrThrow({
      where: { action: "certificate.issued", details: { path: ["orderId"], equals: orderId } },
    });
    expect(audit.details).toMatchObject({ resumedAfterInterruption: true });
    const issued = await db.certificate.findFirstOrThrow({ where: { orderId } });
    expect(issued.issuerId).toBe(sub.id);
    // The same end entity, now GENERATED with the certificate.
    const entities = await db.endEntity.findMany({ where: { orderId } });
    expect(entities.map((e) => [e.id, e.username, e.status])).toEqual([
      [enrolled.id, enrolled.username, "GENERATED"],
    ]);
    expect(issued.endEntityId).toBe(enrolled.id);
  }, 120_000);

  it("a certificate that cannot be stored leaves the order invalid with a problem, and says so", async () => {
    server ??= await startServer(env);
    db ??= createDb(databaseUrl, 2);
    const { client, order, csr } = await readyOrder(`${server.httpUrl}/acme/directory`);
    // The database refuses every new certificate row, as a full disk or a lost connection would.
    await db.$executeRawUnsafe(`
      CREATE FUNCTION refuse_certificates() RETURNS trigger LANGUAGE plpgsql AS
        $$ BEGIN RAISE EXCEPTION 'disk full (test)'; END $$`);
    await db.$executeRawUnsafe(`
      CREATE TRIGGER refuse_certificates BEFORE INSERT ON "Certificate"
        FOR EACH ROW EXECUTE FUNCTION refuse_certificates()`);
    try {
      const refused = await client.finalizeOrder(order, csr).then(
        () => null,
        (err: Error) => err,
      );
      expect(refused?.message).toContain("The certificate could not be stored");
      const orderId = order.url.split("/").pop() as string;
      const row = await db.order.findUniqueOrThrow({ where: { id: orderId } });
      expect(row.status).toBe("invalid");
      expect(row.error).toMatchObject({
        type: "urn:ietf:params:acme:error:serverInternal",
        detail: "The certificate could not be stored",
      });
      // The cause reaches the server's log, never the client.
      expect(server.output()).toContain("disk full (test)");
      expect(refused?.message).not.toContain("disk full");
      expect((await client.getOrder(order)).status).toBe("invalid");
    } finally {
      await db.$executeRawUnsafe(`DROP TRIGGER refuse_certificates ON "Certificate"`);
      await db.$executeRawUnsafe("DROP FUNCTION refuse_certificates()");
    }
  }, 120_000);
});
