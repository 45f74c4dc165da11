// Every hand-written statement of lib/db, against a real PostgreSQL (a fresh database on the
// loopback server) and against the embedded database (PGlite in its child process), with the
// migrations applied: the same behaviour on both, including the guards that make each move
// single-winner.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, type Db } from "@/lib/db/client";
import { lockForTransaction } from "@/lib/db/locks";
import { applyMigrations } from "@/lib/db/migrate";
import { findAccountById, findAccountByKey, searchAccountIds } from "@/lib/db/sql/accounts";
import { selectAliasContext } from "@/lib/db/sql/alias-context";
import {
  lockApprovalProfileForUpdate,
  lockApprovalProfilesForShare,
  lockApprovalRequest,
} from "@/lib/db/sql/approvals";
import { countExpiriesPerDay, countIssuedPerDay } from "@/lib/db/sql/certificates";
import { answerChallenge, recordChallengeOutcome } from "@/lib/db/sql/challenges";
import { deleteExpiredNonces, insertRedeemedNonce } from "@/lib/db/sql/nonces";
import { insertOrder, selectOrder } from "@/lib/db/sql/orders";
import {
  selectAccountLimitsReached,
  selectNewAccountLimitsReached,
  selectRateLimitUsage,
} from "@/lib/db/sql/rate-limits";
import { claimValidationJobs, completeValidationJob } from "@/lib/db/sql/validation-jobs";
import { databaseTargets } from "../../support/test-db";

const TIMEOUT_MS = 120_000;
const HOUR_MS = 3_600_000;
const id = () => randomBytes(16).toString("base64url");
const ORDER_ERROR = { type: "urn:ietf:params:acme:error:unauthorized", detail: "failed", status: 403 };

const targets = databaseTargets("sql");

describe.each(targets)("lib/db statements on the $name", (target) => {
  let db: Db;
  let close: () => Promise<void>;
  let aliasId: string;
  let accountId: string;

  beforeAll(async () => {
    const opened = await target.open();
    close = opened.close;
    await applyMigrations(opened.url);
    db = createDb(opened.url, 4);
    await db.globalSettings.create({ data: { id: 1, nonceKeySealed: new Uint8Array(60) } });
    const alias = await db.alias.create({ data: { name: "shop", configured: true, settings: { x: 1 } } });
    aliasId = alias.id;
    await db.globalSettings.update({ where: { id: 1 }, data: { defaultAliasId: alias.id } });
    accountId = id();
    await db.account.create({
      data: {
        id: accountId,
        aliasId,
        jwk: { kty: "EC", crv: "P-256", x: "x", y: "y" },
        keyThumbprint: "tp",
        contact: ["mailto:a@example.test"],
      },
    });
  }, TIMEOUT_MS);

  afterAll(async () => {
    await db?.$disconnect();
    await close?.();
  }, TIMEOUT_MS);

  it("selectAliasContext: the default alias, an alias by name, an unknown name", async () => {
    const byDefault = await selectAliasContext(db, null);
    expect(byDefault.globals).toEqual({
      acmeEnabled: false,
      defaultAliasId: aliasId,
      replayNonceValidityMs: 3_600_000,
    });
    expect(byDefault.alias).toEqual({
      id: aliasId,
      name: "shop",
      configured: true,
      settings: { x: 1 },
      termsOfServiceVersion: null,
    });
    expect((await selectAliasContext(db, "shop")).alias?.id).toBe(aliasId);
    const unknown = await selectAliasContext(db, "nope");
    expect(unknown.alias).toBeNull();
    expect(unknown.globals.defaultAliasId).toBe(aliasId);
  });

  it("selectAliasContext: the alias's newest terms-of-service version", async () => {
    const other = await db.alias.create({ data: { name: "terms", configured: true, settings: {} } });
    expect((await selectAliasContext(db, "terms")).alias?.termsOfServiceVersion).toBeNull();
    for (const version of [1, 2, 3]) {
      await db.termsOfServiceVersion.create({
        data: { aliasId: other.id, version, url: `https://t.example/v${version}`, publishedBy: "system" },
      });
    }
    expect((await selectAliasContext(db, "terms")).alias?.termsOfServiceVersion).toBe(3);
    // Another alias's versions are not this one's.
    expect((await selectAliasContext(db, "shop")).alias?.termsOfServiceVersion).toBeNull();
  });

  it("searchAccountIds: by alias, status, part of a contact, thumbprint prefix; wildcards are literal", async () => {
    const other = await db.alias.create({ data: { name: "search", configured: true, settings: {} } });
    const make = (contact: string[], thumbprint: string, status: "valid" | "deactivated" = "valid") =>
      db.account.create({
        data: { id: id(), aliasId: other.id, jwk: {}, keyThumbprint: thumbprint, contact, status },
      });
    const a = await make(["mailto:ops@shop.example"], "AAAA-1");
    const b = await make(["mailto:Billing@Shop.example", "mailto:x_y@else.example"], "AAAB-2", "deactivated");
    const c = await make([], "ZZZZ-3");
    const page = (q: Partial<Parameters<typeof searchAccountIds>[1]>) =>
      searchAccountIds(db, { aliasName: "search", offset: 0, limit: 10, ...q });

    expect((await page({})).total).toBe(3);
    expect(new Set((await page({})).ids)).toEqual(new Set([a.id, b.id, c.id]));
    expect((await page({ contact: "shop.EXAMPLE" })).ids.sort()).toEqual([a.id, b.id].sort());
    expect((await page({ contact: "billing@" })).ids).toEqual([b.id]);
    expect((await page({ status: "deactivated" })).ids).toEqual([b.id]);
    expect((await page({ thumbprintPrefix: "AAA" })).total).toBe(2);
    // "_" and "%" in a search are the characters themselves, not LIKE wildcards.
    expect((await page({ contact: "x_y" })).ids).toEqual([b.id]);
    expect((await page({ contact: "x%y" })).ids).toEqual([]);
    expect((await page({ thumbprintPrefix: "A_A" })).ids).toEqual([]);
    // Paging: the total counts every match; a page past the end is empty.
    const first = await page({ limit: 2 });
    expect(first).toMatchObject({ total: 3 });
    expect(first.ids).toHaveLength(2);
    expect(await page({ offset: 10 })).toEqual({ ids: [], total: 3 });
    expect((await searchAccountIds(db, { aliasName: "nope", offset: 0, limit: 10 })).total).toBe(0);
  });

  it("approval locks: a request and profiles, shared and exclusive", async () => {
    const request = await db.approvalRequest.create({
      data: {
        aliasId,
        kind: "registration",
        jwk: {},
        keyThumbprint: "k",
        contact: [],
        profileName: "p",
        approvalsRequired: 1,
        administratorsMayApprove: false,
        selfApprovalAllowed: false,
        expiresAt: new Date(Date.now() + HOUR_MS),
      },
    });
    await db.approvalProfile.createMany({ data: [{ name: "one" }, { name: "two" }] });
    await db.$transaction(async (tx) => {
      expect(await lockApprovalRequest(tx, request.id)).toBe(request.id);
      expect(await lockApprovalRequest(tx, request.id + 1000)).toBeNull();
      expect((await lockApprovalProfilesForShare(tx, ["one", "two", "three"])).sort()).toEqual([
        "one",
        "two",
      ]);
      expect(await lockApprovalProfilesForShare(tx, [])).toEqual([]);
    });
    expect(await db.$transaction((tx) => lockApprovalProfileForUpdate(tx, "missing"))).toBeNull();

    // A deletion waits for a store that holds the profile FOR SHARE, then finds it still there.
    const events: string[] = [];
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let shared: () => void = () => {};
    const isShared = new Promise<void>((resolve) => {
      shared = resolve;
    });
    const store = db.$transaction(async (tx) => {
      await lockApprovalProfilesForShare(tx, ["one"]);
      events.push("store holds");
      shared();
      await held;
      events.push("store done");
    });
    await isShared;
    const deletion = db.$transaction(async (tx) => {
      const locked = await lockApprovalProfileForUpdate(tx, "one");
      events.push(`delete locked ${locked ? "found" : "missing"}`);
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(events).toEqual(["store holds"]);
    release();
    await Promise.all([store, deletion]);
    expect(events).toEqual(["store holds", "store done", "delete locked found"]);
  });

  it("accounts: found by id and by key through the one mapper", async () => {
    const byId = await findAccountById(db, accountId);
    expect(byId).toMatchObject({
      id: accountId,
      aliasId,
      status: "valid",
      keyThumbprint: "tp",
      contact: ["mailto:a@example.test"],
    });
    expect(byId?.jwk).toEqual({ kty: "EC", crv: "P-256", x: "x", y: "y" });
    expect(await findAccountByKey(db, aliasId, "tp")).toEqual(byId);
    expect(await findAccountById(db, "missing")).toBeNull();
  });

  it("nonces: redeemed once; expired records are deleted", async () => {
    const now = new Date();
    expect(await insertRedeemedNonce(db, "n1", new Date(now.getTime() - 1000))).toBe(true);
    expect(await insertRedeemedNonce(db, "n1", new Date(now.getTime() - 1000))).toBe(false);
    expect(await insertRedeemedNonce(db, "n2", new Date(now.getTime() + HOUR_MS))).toBe(true);
    const concurrent = await Promise.all(
      Array.from({ length: 8 }, () => insertRedeemedNonce(db, "n3", new Date(now.getTime() + HOUR_MS))),
    );
    expect(concurrent.filter(Boolean)).toHaveLength(1);
    expect(await deleteExpiredNonces(db, now)).toBe(1);
    expect(await db.redeemedNonce.count()).toBe(2);
  });

  it("challenges and jobs: queued once, claimed once, outcome recorded once", async () => {
    const now = new Date();
    const authorizationId = id();
    const challengeId = id();
    await db.authorization.create({
      data: {
        id: authorizationId,
        accountId,
        identifierType: "dns",
        identifierValue: "a.example.test",
        expiresAt: new Date(now.getTime() + HOUR_MS),
        challenges: { create: [{ id: challengeId, type: "http-01", token: "t" }] },
      },
    });

    const queued = await Promise.all(
      [1, 2, 3].map(() => answerChallenge(db, { challengeId, accountId, now, jobId: id(), claim: null })),
    );
    expect(queued.filter((row) => row?.answered)).toHaveLength(1);
    expect((await db.challenge.findUniqueOrThrow({ where: { id: challengeId } })).status).toBe("processing");

    const lease = { now, leaseUntil: new Date(now.getTime() + 60_000), limit: 5 };
    const [first, second] = await Promise.all([
      claimValidationJobs(db, { ...lease, workerId: "w1" }),
      claimValidationJobs(db, { ...lease, workerId: "w2" }),
    ]);
    expect([...(first ?? []), ...(second ?? [])]).toEqual([
      { id: expect.any(String), challengeId, attempts: 1 },
    ]);
    // A lease that ran out (its worker died) is claimed again, one attempt more.
    const later = new Date(now.getTime() + 120_000);
    const reclaimed = await claimValidationJobs(db, {
      workerId: "w3",
      now: later,
      leaseUntil: new Date(later.getTime() + 60_000),
      limit: 5,
    });
    expect(reclaimed).toEqual([{ id: expect.any(String), challengeId, attempts: 2 }]);
    const jobId = (reclaimed[0] as { id: string }).id;

    const extended = new Date(now.getTime() + 30 * 24 * HOUR_MS);
    const outcome = {
      jobId,
      challengeId,
      authorizationId,
      valid: true,
      error: null,
      validationRecords: [{ challengeType: "http-01", url: "http://a.example.test/" }],
      authorizationExpiresAt: extended,
      orderError: ORDER_ERROR,
      now: later,
    };
    await recordChallengeOutcome(db, outcome);
    const challenge = await db.challenge.findUniqueOrThrow({ where: { id: challengeId } });
    expect(challenge.status).toBe("valid");
    expect(challenge.validatedAt?.getTime()).toBe(later.getTime());
    expect(challenge.validationRecord).toEqual(outcome.validationRecords);
    const authorization = await db.authorization.findUniqueOrThrow({ where: { id: authorizationId } });
    expect(authorization.status).toBe("valid");
    expect(authorization.expiresAt.getTime()).toBe(extended.getTime());
    expect((await db.validationJob.findUniqueOrThrow({ where: { id: jobId } })).status).toBe("done");

    // A second outcome (a duplicate worker) moves nothing: the challenge is no longer processing.
    await recordChallengeOutcome(db, { ...outcome, valid: false, error: { type: "x" } });
    expect((await db.challenge.findUniqueOrThrow({ where: { id: challengeId } })).status).toBe("valid");
    expect((await db.authorization.findUniqueOrThrow({ where: { id: authorizationId } })).status).toBe(
      "valid",
    );
    expect(await claimValidationJobs(db, { ...lease, workerId: "w4", now: later })).toEqual([]);
  });

  it("challenges: of one authorization's challenges, answered at once, one is queued", async () => {
    const now = new Date();
    const authorizationId = id();
    const challengeIds = [id(), id(), id()];
    await db.authorization.create({
      data: {
        id: authorizationId,
        accountId,
        identifierType: "dns",
        identifierValue: "siblings.example.test",
        expiresAt: new Date(now.getTime() + HOUR_MS),
        challenges: {
          create: challengeIds.map((cid, i) => ({
            id: cid,
            type: ["http-01", "dns-01", "tls-alpn-01"][i] as string,
            token: "t",
          })),
        },
      },
    });
    const claim = { lockedBy: "w", lockedUntil: new Date(now.getTime() + 60_000) };
    const queued = await Promise.all(
      [...challengeIds, ...challengeIds].map((challengeId) =>
        answerChallenge(db, { challengeId, accountId, now, jobId: id(), claim }),
      ),
    );
    expect(queued.filter((row) => row?.answered)).toHaveLength(1);
    expect(
      await db.challenge.count({ where: { authorizationId, status: "processing" } }),
      "one challenge moved",
    ).toBe(1);
    const jobs = await db.validationJob.findMany({ where: { authorizationId } });
    // Inserted already claimed by the answering instance's worker, under its lease.
    expect(jobs).toEqual([
      expect.objectContaining({
        status: "running",
        attempts: 1,
        lockedBy: "w",
        lockedUntil: claim.lockedUntil,
      }),
    ]);
    // The job would be claimed by the tests below: this test is done with it.
    await db.validationJob.deleteMany({ where: { authorizationId } });
    // Another account's request moves nothing, and learns only that the challenge exists.
    const stranger = await answerChallenge(db, {
      challengeId: challengeIds[1] as string,
      accountId: id(),
      now,
      jobId: id(),
      claim: null,
    });
    expect(stranger?.answered).toBe(false);
    expect(
      await answerChallenge(db, { challengeId: id(), accountId, now, jobId: id(), claim: null }),
    ).toBeNull();
  });

  it("an outcome moves the authorization's pending orders: ready when all are valid, invalid when it failed", async () => {
    const now = new Date();
    const expiresAt = new Date(now.getTime() + HOUR_MS);
    const authz = async (status: "pending" | "valid") => {
      const authorizationId = id();
      const challengeId = id();
      await db.authorization.create({
        data: {
          id: authorizationId,
          accountId,
          identifierType: "dns",
          identifierValue: `${authorizationId.toLowerCase()}.example.test`.replace(/[^a-z0-9.]/g, "x"),
          status,
          expiresAt,
          challenges: { create: [{ id: challengeId, type: "http-01", token: "t" }] },
        },
      });
      return { authorizationId, challengeId };
    };
    const order = async (...authorizationIds: string[]) => {
      const orderId = id();
      await db.order.create({
        data: {
          id: orderId,
          accountId,
          expiresAt,
          identifiers: [],
          authorizations: { create: authorizationIds.map((authorizationId) => ({ authorizationId })) },
        },
      });
      return orderId;
    };
    const validate = async (a: { authorizationId: string; challengeId: string }, valid: boolean) => {
      const answered = await answerChallenge(db, {
        challengeId: a.challengeId,
        accountId,
        now,
        jobId: id(),
        claim: null,
      });
      expect(answered?.answered).toBe(true);
      const job = await db.validationJob.findUniqueOrThrow({ where: { challengeId: a.challengeId } });
      await recordChallengeOutcome(db, {
        jobId: job.id,
        challengeId: a.challengeId,
        authorizationId: a.authorizationId,
        valid,
        error: valid ? null : { type: "urn:ietf:params:acme:error:connection" },
        validationRecords: [],
        authorizationExpiresAt: expiresAt,
        orderError: ORDER_ERROR,
        now,
      });
    };
    const statusOf = async (orderId: string) => db.order.findUniqueOrThrow({ where: { id: orderId } });

    const alone = await authz("pending");
    const alreadyValid = await authz("valid");
    const stillPending = await authz("pending");
    const one = await order(alone.authorizationId);
    const withValid = await order(alone.authorizationId, alreadyValid.authorizationId);
    const withPending = await order(alone.authorizationId, stillPending.authorizationId);
    await validate(alone, true);
    expect((await statusOf(one)).status).toBe("ready");
    expect((await statusOf(withValid)).status).toBe("ready");
    expect((await statusOf(withPending)).status, "another authorization is still pending").toBe("pending");

    await validate(stillPending, false);
    expect(await statusOf(withPending)).toMatchObject({ status: "invalid", error: ORDER_ERROR });
  });

  it("insertOrder: reuses a valid authorization of the account where it may, creates the rest with their challenges", async () => {
    const now = new Date();
    const expiresAt = new Date(now.getTime() + HOUR_MS);
    const reusable = id();
    const tooOld = id();
    await db.authorization.create({
      data: {
        id: reusable,
        accountId,
        identifierType: "dns",
        identifierValue: "reuse.example.test",
        status: "valid",
        expiresAt: new Date(now.getTime() + 30 * 24 * HOUR_MS),
      },
    });
    await db.authorization.create({
      data: {
        id: tooOld,
        accountId,
        identifierType: "dns",
        identifierValue: "fresh.example.test",
        status: "valid",
        expiresAt: new Date(now.getTime() + 30 * 24 * HOUR_MS),
        updatedAt: new Date(now.getTime() - 10 * HOUR_MS),
      },
    });
    const planned = (value: string, types: string[]) => ({
      identifierType: "dns",
      identifierValue: value,
      wildcard: false,
      id: id(),
      challenges: types.map((type) => ({ id: id(), type, token: id() })),
    });
    const fresh = planned("fresh.example.test", ["dns-01", "http-01"]);
    const orderId = id();
    const authorizations = await insertOrder(db, {
      id: orderId,
      accountId,
      expiresAt,
      identifiers: [
        { type: "dns", value: "fresh.example.test" },
        { type: "dns", value: "reuse.example.test" },
      ],
      notBefore: null,
      notAfter: null,
      now,
      // tooOld was validated 10 hours ago: outside this window.
      reuseSince: new Date(now.getTime() - HOUR_MS),
      authorizations: [fresh, planned("reuse.example.test", ["http-01"])],
    });
    expect(authorizations.map((a) => [a.id, a.status])).toEqual([
      [fresh.id, "pending"],
      [reusable, "valid"],
    ]);
    expect(await db.challenge.count({ where: { authorizationId: fresh.id } })).toBe(2);
    const order = await selectOrder(db, orderId);
    expect(order?.status).toBe("pending");
    expect(order?.authorizations.map((a) => a.id).sort()).toEqual([fresh.id, reusable].sort());
    expect(order?.authorizations.find((a) => a.id === fresh.id)?.expiresAt.getTime()).toBe(
      expiresAt.getTime(),
    );

    // Without a window nothing is reused.
    const again = planned("reuse.example.test", ["http-01"]);
    const [created] = await insertOrder(db, {
      id: id(),
      accountId,
      expiresAt,
      identifiers: [{ type: "dns", value: "reuse.example.test" }],
      notBefore: null,
      notAfter: null,
      now,
      reuseSince: null,
      authorizations: [again],
    });
    expect(created).toMatchObject({ id: again.id, status: "pending" });
  });

  it("a failed validation makes the pending authorization invalid and keeps its expiry", async () => {
    const now = new Date();
    const authorizationId = id();
    const challengeId = id();
    const expiresAt = new Date(now.getTime() + HOUR_MS);
    await db.authorization.create({
      data: {
        id: authorizationId,
        accountId,
        identifierType: "dns",
        identifierValue: "b.example.test",
        expiresAt,
        challenges: { create: [{ id: challengeId, type: "dns-01", token: "t" }] },
      },
    });
    expect(
      (await answerChallenge(db, { challengeId, accountId, now, jobId: id(), claim: null }))?.answered,
    ).toBe(true);
    const [job] = await claimValidationJobs(db, { workerId: "w", now, leaseUntil: expiresAt, limit: 1 });
    const error = { type: "urn:ietf:params:acme:error:dns", detail: "no TXT record", status: 400 };
    await recordChallengeOutcome(db, {
      jobId: (job as { id: string }).id,
      challengeId,
      authorizationId,
      valid: false,
      error,
      validationRecords: [],
      authorizationExpiresAt: expiresAt,
      orderError: ORDER_ERROR,
      now,
    });
    const challenge = await db.challenge.findUniqueOrThrow({ where: { id: challengeId } });
    expect(challenge).toMatchObject({ status: "invalid", validatedAt: null, error });
    expect(await db.authorization.findUniqueOrThrow({ where: { id: authorizationId } })).toMatchObject({
      status: "invalid",
      expiresAt,
    });
  });

  it("completeValidationJob closes a job without touching its challenge", async () => {
    const now = new Date();
    const challengeId = id();
    const authorizationId = id();
    await db.authorization.create({
      data: {
        id: authorizationId,
        accountId,
        identifierType: "dns",
        identifierValue: "c.example.test",
        expiresAt: new Date(now.getTime() + HOUR_MS),
        challenges: { create: [{ id: challengeId, type: "http-01", token: "t" }] },
      },
    });
    await answerChallenge(db, { challengeId, accountId, now, jobId: id(), claim: null });
    const [job] = await claimValidationJobs(db, {
      workerId: "w",
      now,
      leaseUntil: new Date(now.getTime() + 1000),
      limit: 1,
    });
    await completeValidationJob(db, (job as { id: string }).id, now);
    expect((await db.validationJob.findUniqueOrThrow({ where: { challengeId } })).status).toBe("done");
    expect((await db.challenge.findUniqueOrThrow({ where: { id: challengeId } })).status).toBe("processing");
  });

  it("certificate counts per UTC day", async () => {
    const ca = await db.certificateAuthority.create({
      data: {
        name: `ca-${id()}`,
        role: "issuing",
        subjectDn: "CN=Test",
        keyAlgorithm: "ECDSA-P256",
        certificateDer: new Uint8Array([1]),
        privateKeySealed: new Uint8Array([1]),
        serialHex: "01",
        notBefore: new Date(),
        notAfter: new Date(Date.now() + 1000 * HOUR_MS),
      },
    });
    const day = (offsetDays: number) => {
      const d = new Date();
      d.setUTCHours(12, 0, 0, 0);
      return new Date(d.getTime() + offsetDays * 24 * HOUR_MS);
    };
    const certificate = (notAfter: Date, status: "valid" | "revoked" = "valid") => {
      const serialHex = randomBytes(8).toString("hex");
      return db.certificate.create({
        data: {
          id: serialHex,
          serialHex,
          accountId,
          issuerId: ca.id,
          der: new Uint8Array([1]),
          subjectDn: "",
          names: ["dns:a.example.test"],
          spkiSha256: "s",
          keyAlgorithm: "ECDSA-P256",
          notBefore: new Date(),
          notAfter,
          status,
        },
      });
    };
    await certificate(day(3));
    await certificate(day(3));
    await certificate(day(5));
    await certificate(day(5), "revoked");
    const issued = await countIssuedPerDay(db, day(-1));
    expect(issued.reduce((sum, r) => sum + r.n, 0)).toBe(4);
    const expiries = await countExpiriesPerDay(db, day(0), day(10));
    const byDay = Object.fromEntries(expiries.map((r) => [r.day.toISOString().slice(0, 10), r.n]));
    expect(byDay).toEqual({
      [day(3).toISOString().slice(0, 10)]: 2,
      [day(5).toISOString().slice(0, 10)]: 1,
    });
  });

  it("lockForTransaction serialises two transactions on one key", async () => {
    const events: string[] = [];
    let releaseFirst: () => void = () => {};
    const firstHolds = new Promise<void>((resolve) => {
      releaseFirst = resolve;
    });
    let firstLocked: () => void = () => {};
    const locked = new Promise<void>((resolve) => {
      firstLocked = resolve;
    });
    const first = db.$transaction(async (tx) => {
      await lockForTransaction(tx, "keyward:test");
      events.push("first locked");
      firstLocked();
      await firstHolds;
      events.push("first done");
    });
    await locked;
    const second = db.$transaction(async (tx) => {
      await lockForTransaction(tx, "keyward:test");
      events.push("second locked");
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(events).toEqual(["first locked"]);
    releaseFirst();
    await Promise.all([first, second]);
    expect(events).toEqual(["first locked", "first done", "second locked"]);
  });

  describe("rate limits: the limit-th newest row in the window, one statement per operation", () => {
    const now = new Date(Date.UTC(2026, 11, 2, 12, 0, 0));
    const ago = (ms: number) => new Date(now.getTime() - ms);
    const MINUTE_MS = 60_000;
    let limitsAliasId: string;
    let otherAliasId: string;
    let busy: string;
    let quiet: string;
    let issuerId: string;

    const account = (aliasIdOf: string, createdAt: Date, ip: string | null, range: string | null = null) =>
      db.account.create({
        data: {
          id: id(),
          aliasId: aliasIdOf,
          jwk: {},
          keyThumbprint: id(),
          contact: [],
          createdFromIp: ip,
          createdFromIpv6Range: range,
          createdAt,
        },
      });
    const certificate = (accountIdOf: string, createdAt: Date, registeredDomains: string[]) => {
      const serialHex = randomBytes(8).toString("hex");
      return db.certificate.create({
        data: {
          id: serialHex,
          serialHex,
          accountId: accountIdOf,
          issuerId,
          der: new Uint8Array([1]),
          subjectDn: "",
          names: [],
          registeredDomains,
          spkiSha256: "s",
          keyAlgorithm: "ECDSA-P256",
          notBefore: createdAt,
          notAfter: new Date(createdAt.getTime() + 1000 * HOUR_MS),
          createdAt,
        },
      });
    };
    const authorization = (
      accountIdOf: string,
      value: string,
      status: "pending" | "invalid" | "valid",
      o: { expiresAt: Date; updatedAt?: Date },
    ) =>
      db.authorization.create({
        data: {
          id: id(),
          accountId: accountIdOf,
          identifierType: "dns",
          identifierValue: value,
          status,
          expiresAt: o.expiresAt,
          ...(o.updatedAt ? { updatedAt: o.updatedAt } : {}),
        },
      });

    beforeAll(async () => {
      limitsAliasId = (await db.alias.create({ data: { name: "limits", configured: true, settings: {} } }))
        .id;
      otherAliasId = (await db.alias.create({ data: { name: "other", configured: true, settings: {} } })).id;
      issuerId = (
        await db.certificateAuthority.create({
          data: {
            name: `ca-${id()}`,
            role: "issuing",
            subjectDn: "CN=Limits",
            keyAlgorithm: "ECDSA-P256",
            certificateDer: new Uint8Array([1]),
            privateKeySealed: new Uint8Array([1]),
            serialHex: "02",
            notBefore: now,
            notAfter: new Date(now.getTime() + 1000 * HOUR_MS),
          },
        })
      ).id;
      // Accounts from 192.0.2.1: one outside the 3 h window, three inside; one from another alias.
      await account(limitsAliasId, ago(4 * HOUR_MS), "192.0.2.1");
      await account(limitsAliasId, ago(2 * HOUR_MS), "192.0.2.1");
      busy = (await account(limitsAliasId, ago(HOUR_MS), "192.0.2.1")).id;
      quiet = (await account(limitsAliasId, ago(10 * MINUTE_MS), "192.0.2.1")).id;
      await account(otherAliasId, ago(MINUTE_MS), "192.0.2.1");
      await account(limitsAliasId, ago(30 * MINUTE_MS), "2001:db8:1::5", "2001:db8:1::/48");
      await account(limitsAliasId, ago(20 * MINUTE_MS), "2001:db8:1:ffff::9", "2001:db8:1::/48");
      // busy: three orders in the window and one before; two live pending authorizations, one
      // expired, one valid; two failed validations of x.example.test within the hour, one before.
      for (const at of [ago(4 * HOUR_MS), ago(2 * HOUR_MS), ago(HOUR_MS), ago(MINUTE_MS)]) {
        await db.order.create({
          data: { id: id(), accountId: busy, expiresAt: now, identifiers: [], createdAt: at },
        });
      }
      await authorization(busy, "p1.example.test", "pending", {
        expiresAt: new Date(now.getTime() + HOUR_MS),
      });
      await authorization(busy, "p2.example.test", "pending", {
        expiresAt: new Date(now.getTime() + 2 * HOUR_MS),
      });
      await authorization(busy, "p3.example.test", "pending", { expiresAt: ago(MINUTE_MS) });
      await authorization(busy, "p4.example.test", "valid", { expiresAt: new Date(now.getTime() + HOUR_MS) });
      for (const at of [ago(2 * HOUR_MS), ago(30 * MINUTE_MS), ago(5 * MINUTE_MS)]) {
        await authorization(busy, "x.example.test", "invalid", { expiresAt: now, updatedAt: at });
      }
      await authorization(busy, "y.example.test", "invalid", { expiresAt: now, updatedAt: ago(MINUTE_MS) });
      // Certificates naming example.test: two this week on this alias, one older, one on another alias.
      await certificate(busy, ago(8 * 24 * HOUR_MS), ["example.test"]);
      await certificate(busy, ago(3 * 24 * HOUR_MS), ["example.test", "example.org"]);
      await certificate(quiet, ago(HOUR_MS), ["example.test"]);
      const stranger = await account(otherAliasId, ago(HOUR_MS), null);
      await certificate(stranger.id, ago(HOUR_MS), ["example.test"]);
    });

    it("new accounts per address and per IPv6 /48 on the alias", async () => {
      const check = (address: number | null, range: number | null) =>
        selectNewAccountLimitsReached(db, {
          aliasId: limitsAliasId,
          address: address === null ? null : { value: "192.0.2.1", limit: address, since: ago(3 * HOUR_MS) },
          ipv6Range:
            range === null ? null : { value: "2001:db8:1::/48", limit: range, since: ago(3 * HOUR_MS) },
        });
      // Newest first: 10 min, 1 h, 2 h (4 h is outside; the other alias's does not count).
      expect(await check(3, 2)).toEqual({ address: ago(2 * HOUR_MS), ipv6Range: ago(30 * MINUTE_MS) });
      expect(await check(1, 1)).toEqual({ address: ago(10 * MINUTE_MS), ipv6Range: ago(20 * MINUTE_MS) });
      expect(await check(4, 3)).toEqual({ address: null, ipv6Range: null });
      expect(await check(null, null)).toEqual({ address: null, ipv6Range: null });
    });

    const query = (over: Partial<Parameters<typeof selectAccountLimitsReached>[1]> = {}) =>
      selectAccountLimitsReached(db, {
        accountId: busy,
        aliasId: limitsAliasId,
        now,
        orders: null,
        pendingAuthorizations: null,
        invalidAuthorizations: null,
        certificates: null,
        ...over,
      });

    it("per account: orders, pending authorizations, failed validations per name, certificates per domain", async () => {
      const all = (limit: number) =>
        query({
          orders: { overrideName: "newOrdersPerAccount", limit, since: ago(3 * HOUR_MS) },
          pendingAuthorizations: { overrideName: "pendingAuthorizationsPerAccount", limit, since: now },
          invalidAuthorizations: {
            overrideName: "failedValidationsPerAccountAndName",
            limit,
            since: ago(HOUR_MS),
            identifiers: [
              { type: "dns", value: "x.example.test" },
              { type: "dns", value: "y.example.test" },
            ],
          },
          certificates: {
            overrideName: "certificatesPerRegisteredDomain",
            limit,
            since: ago(7 * 24 * HOUR_MS),
            registeredDomains: ["example.test", "example.org"],
          },
        });
      const byPart = (rows: Awaited<ReturnType<typeof query>>) =>
        rows.map((r) => `${r.part} ${r.key ?? "-"} ${r.limit} ${r.at.toISOString()}`).sort();
      expect(byPart(await all(2))).toEqual(
        [
          `certificates example.test 2 ${ago(3 * 24 * HOUR_MS).toISOString()}`,
          `invalidAuthorizations x.example.test 2 ${ago(30 * MINUTE_MS).toISOString()}`,
          `orders - 2 ${ago(HOUR_MS).toISOString()}`,
          // The 2nd latest expiry of the live pending ones: when it passes, one is left.
          `pendingAuthorizations - 2 ${new Date(now.getTime() + HOUR_MS).toISOString()}`,
        ].sort(),
      );
      expect(byPart(await all(3))).toEqual([`orders - 3 ${ago(2 * HOUR_MS).toISOString()}`]);
      expect(await all(4)).toEqual([]);
      expect(await all(0)).toEqual([]);
      expect(await query()).toEqual([]);
    });

    it("an account's override replaces the alias's value: higher, lower, or 0 for none", async () => {
      const orders = (limit: number) =>
        query({ orders: { overrideName: "newOrdersPerAccount", limit, since: ago(3 * HOUR_MS) } });
      const setOverride = (value: number) =>
        db.rateLimitOverride.upsert({
          where: { accountId_limit: { accountId: busy, limit: "newOrdersPerAccount" } },
          create: { accountId: busy, limit: "newOrdersPerAccount", value, setBy: "system" },
          update: { value },
        });
      expect(await orders(1)).toHaveLength(1);
      await setOverride(10);
      expect(await orders(1)).toEqual([]);
      await setOverride(0);
      expect(await orders(1)).toEqual([]);
      await setOverride(2);
      expect(await orders(100)).toEqual([{ part: "orders", key: null, limit: 2, at: ago(HOUR_MS) }]);
      // Another account is not affected by busy's override.
      expect(
        await query({
          accountId: quiet,
          orders: { overrideName: "newOrdersPerAccount", limit: 100, since: ago(3 * HOUR_MS) },
        }),
      ).toEqual([]);
      await db.rateLimitOverride.delete({
        where: { accountId_limit: { accountId: busy, limit: "newOrdersPerAccount" } },
      });
    });

    it("usage: the busiest keys of each count on the alias", async () => {
      const rows = await selectRateLimitUsage(db, {
        aliasId: limitsAliasId,
        now,
        top: 5,
        accountsSince: ago(3 * HOUR_MS),
        ordersSince: ago(3 * HOUR_MS),
        failuresSince: ago(HOUR_MS),
        certificatesSince: ago(7 * 24 * HOUR_MS),
      });
      const text = rows.map((r) => `${r.part} ${r.key} ${r.name ?? "-"} ${r.count}`).sort();
      expect(text).toEqual(
        [
          "address 192.0.2.1 - 3",
          "address 2001:db8:1::5 - 1",
          "address 2001:db8:1:ffff::9 - 1",
          "ipv6Range 2001:db8:1::/48 - 2",
          `orders ${busy} - 3`,
          `pendingAuthorizations ${busy} - 2`,
          `invalidAuthorizations ${busy} x.example.test 2`,
          `invalidAuthorizations ${busy} y.example.test 1`,
          "certificates example.test - 2",
          "certificates example.org - 1",
        ].sort(),
      );
    });
  });
});
