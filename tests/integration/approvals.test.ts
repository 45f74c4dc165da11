// Approvals of account registration and key change (spec "Approvals") over real HTTP: every state
// a client can see (sent, PENDING, approved → 201 / applied, REJECT, EXPIRED), the renewal of an
// expired key change, concurrent repeats creating one request, a key change applied once, and the
// deciding rules as the console API enforces them (approvers; administrators where the profile
// allows; once per person; no self-approval; auditors never).
import { randomBytes } from "node:crypto";
import { calculateJwkThumbprint } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { generateApiToken } from "@/lib/auth/api-tokens";
import {
  type AcmeResult,
  generateTestKey,
  RawAcmeClient,
  signJws,
  type TestKey,
} from "../support/acme-signer";
import { consoleApi } from "../support/console-api";
import { createTestUserWithToken } from "../support/console-tokens";
import { createTestAlias, directoryUrl, enableAcme, testDb } from "../support/keyward";

const PROBLEM = "urn:ietf:params:acme:error:";
const tag = randomBytes(3).toString("hex");
const PROFILE = { one: `one-${tag}`, two: `two-${tag}`, admins: `admins-${tag}`, self: `self-${tag}` };

let admin: string;
let approver: { token: string; userId: string };
let secondApprover: { token: string; userId: string };
let auditor: string;
let registration: RawAcmeClient;
let keyChanges: RawAcmeClient;

async function createProfile(name: string, fields: Record<string, unknown> = {}) {
  const res = await consoleApi("POST", "/api/console/approval-profiles", {
    token: admin,
    body: { name, ...fields },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
}

beforeAll(async () => {
  await enableAcme();
  admin = (await createTestUserWithToken(testDb(), "administrator")).token;
  approver = await createTestUserWithToken(testDb(), "approver");
  secondApprover = await createTestUserWithToken(testDb(), "approver");
  auditor = (await createTestUserWithToken(testDb(), "auditor")).token;
  await createProfile(PROFILE.one);
  await createProfile(PROFILE.two, { approvalsRequired: 2 });
  await createProfile(PROFILE.admins, { administratorsMayApprove: true });
  await createProfile(PROFILE.self, { selfApprovalAllowed: true });
  registration = await new RawAcmeClient(
    directoryUrl(await createTestAlias({ registrationApprovalProfile: PROFILE.one })),
  ).init();
  keyChanges = await new RawAcmeClient(
    directoryUrl(await createTestAlias({ keyChangeApprovalProfile: PROFILE.one })),
  ).init();
});

function expectApprovalProblem(res: AcmeResult, detail: RegExp): number {
  expect(res.status).toBe(500);
  expect(res.headers.get("content-type")).toBe("application/problem+json");
  expect(res.body.type).toBe(`${PROBLEM}serverInternal`);
  expect(res.body.detail).toMatch(detail);
  return Number(/RequestID=(\d+)/.exec(res.body.detail)?.[1]);
}

const SENT = /^A request to register your ACME account has been sent for approval\. RequestID=\d+$/;
const KEY_SENT =
  /^A request to change the key of your ACME account has been sent for approval\. RequestID=\d+/;

function newAccount(client: RawAcmeClient, key: TestKey, payload: Record<string, unknown> = {}) {
  return client.signedPost(key, client.directory.newAccount as string, {
    termsOfServiceAgreed: true,
    contact: ["mailto:client@example.test"],
    ...payload,
  });
}

function decide(token: string, id: number, verdict: "approve" | "reject", comment = "") {
  return consoleApi("POST", `/api/console/approvals/${id}/decision`, { token, body: { verdict, comment } });
}

async function expire(id: number) {
  await testDb().approvalRequest.update({ where: { id }, data: { expiresAt: new Date(Date.now() - 1000) } });
}

describe('registration approval (spec "Approvals for the newAccount Resource")', () => {
  it('first newAccount → 500 serverInternal "has been sent for approval. RequestID=…"; again → PENDING; no account yet', async () => {
    const key = await generateTestKey();
    const id = expectApprovalProblem(await newAccount(registration, key), SENT);
    const again = await newAccount(registration, key);
    expect(expectApprovalProblem(again, /has state PENDING\. RequestID=\d+$/)).toBe(id);
    // A Replay-Nonce comes with the 500 as with every ACME answer.
    expect(again.headers.get("replay-nonce")).toBeTruthy();
    expect(await testDb().account.count({ where: { keyThumbprint: await thumbprint(key) } })).toBe(0);
    // onlyReturnExisting: there is no account, whatever is pending.
    const existing = await newAccount(registration, key, { onlyReturnExisting: true });
    expect(existing.body.type).toBe(`${PROBLEM}accountDoesNotExist`);

    // The queue shows what an approver decides on.
    const queue = await consoleApi("GET", "/api/console/approvals?view=pending&pageSize=100", {
      token: approver.token,
    });
    const item = queue.body.items.find((r: { id: number }) => r.id === id);
    expect(item).toMatchObject({
      kind: "registration",
      status: "pending",
      keyThumbprint: await thumbprint(key),
      contact: ["mailto:client@example.test"],
      approvals: 0,
      approvalsRequired: 1,
      profileName: PROFILE.one,
      canDecide: true,
    });
    expect(item.clientIp).toMatch(/127\.0\.0\.1/);
  });

  it("approved → the next identical newAccount creates the account (201), once; then 200", async () => {
    const key = await generateTestKey();
    const id = expectApprovalProblem(await newAccount(registration, key), SENT);
    const decided = await decide(approver.token, id, "approve", "known customer");
    expect(decided.status).toBe(200);
    expect(decided.body).toMatchObject({ status: "approved", approvals: 1 });

    const created = await newAccount(registration, key);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ status: "valid", contact: ["mailto:client@example.test"] });
    const again = await newAccount(registration, key);
    expect(again.status).toBe(200);
    expect(again.headers.get("location")).toBe(created.headers.get("location"));

    const request = await testDb().approvalRequest.findUniqueOrThrow({ where: { id } });
    const accountId = (created.headers.get("location") as string).split("/").pop();
    expect(request).toMatchObject({ status: "approved", accountId });
    expect(request.appliedAt).not.toBeNull();
    const actions = (
      await testDb().auditEvent.findMany({
        where: { targetType: "approval", targetId: String(id) },
        orderBy: { id: "asc" },
      })
    ).map((e) => [e.action, e.actor.split(":")[0]]);
    // Decided through the approver's API token: the token is the actor, its owner the person.
    expect(actions).toEqual([
      ["approval.requested", "system"],
      ["approval.approved", "token"],
      ["approval.applied", "account"],
    ]);
    const decisions = await testDb().approvalDecision.findMany({ where: { requestId: id } });
    expect(decisions).toEqual([
      expect.objectContaining({ userId: approver.userId, verdict: "approve", comment: "known customer" }),
    ]);
    const decision = await testDb().auditEvent.findFirstOrThrow({
      where: { action: "approval.approved", targetId: String(id) },
    });
    expect(decision.details).toMatchObject({ comment: "known customer", after: { status: "approved" } });
  });

  it("rejected → REJECT, and stays so; no account", async () => {
    const key = await generateTestKey();
    const id = expectApprovalProblem(await newAccount(registration, key), SENT);
    const noComment = await decide(approver.token, id, "reject");
    expect(noComment.status).toBe(422);
    expect(noComment.body.invalidParams).toEqual([
      { name: "comment", reason: "Say why the request is rejected" },
    ]);
    expect((await decide(approver.token, id, "reject", "unknown requester")).body.status).toBe("rejected");
    for (let i = 0; i < 2; i++) {
      expectApprovalProblem(
        await newAccount(registration, key),
        new RegExp(`has state REJECT\\. RequestID=${id}$`),
      );
    }
    expect(await testDb().account.count({ where: { keyThumbprint: await thumbprint(key) } })).toBe(0);
    // Decided is decided.
    expect((await decide(secondApprover.token, id, "approve")).status).toBe(409);
  });

  it("expired → EXPIRED, final for the key (new keys needed); it cannot be decided; the history shows it", async () => {
    const key = await generateTestKey();
    const id = expectApprovalProblem(await newAccount(registration, key), SENT);
    await expire(id);
    const expired = await newAccount(registration, key);
    expectApprovalProblem(
      expired,
      /has state EXPIRED\. RequestID=\d+\. This key can no longer be registered: generate a new key/,
    );
    expectApprovalProblem(await newAccount(registration, key), /state EXPIRED/);
    const late = await decide(approver.token, id, "approve");
    expect(late.status).toBe(409);
    expect(late.body.detail).toMatch(/EXPIRED: it cannot be decided any more/);
    expect((await testDb().approvalRequest.findUniqueOrThrow({ where: { id } })).status).toBe("expired");
    expect(
      await testDb().auditEvent.count({ where: { action: "approval.expired", targetId: String(id) } }),
    ).toBe(1);
    // New keys start over.
    const fresh = expectApprovalProblem(await newAccount(registration, await generateTestKey()), SENT);
    expect(fresh).not.toBe(id);

    const history = await consoleApi("GET", "/api/console/approvals?view=history&pageSize=100", {
      token: auditor,
    });
    expect(history.body.items.find((r: { id: number }) => r.id === id)).toMatchObject({
      status: "expired",
      decisions: [],
    });
  });

  it("a request past its expiry counts as expired in the console before any client asks again", async () => {
    const key = await generateTestKey();
    const id = expectApprovalProblem(await newAccount(registration, key), SENT);
    await expire(id);
    const pending = await consoleApi("GET", "/api/console/approvals?view=pending&pageSize=100", {
      token: admin,
    });
    expect(pending.body.items.map((r: { id: number }) => r.id)).not.toContain(id);
    const history = await consoleApi("GET", "/api/console/approvals?view=history&pageSize=100", {
      token: admin,
    });
    expect(history.body.items.find((r: { id: number }) => r.id === id)?.status).toBe("expired");
  });

  it("concurrent repeats of one newAccount create one request, and all name it", async () => {
    const key = await generateTestKey();
    const results = await Promise.all(Array.from({ length: 8 }, () => newAccount(registration, key)));
    const ids = results.map((r) => expectApprovalProblem(r, /RequestID=\d+/));
    expect(new Set(ids).size).toBe(1);
    expect(await testDb().approvalRequest.count({ where: { keyThumbprint: await thumbprint(key) } })).toBe(1);
  });

  it("an approved registration claimed by concurrent identical newAccounts creates one account", async () => {
    const key = await generateTestKey();
    const id = expectApprovalProblem(await newAccount(registration, key), SENT);
    await decide(approver.token, id, "approve");
    const results = await Promise.all(Array.from({ length: 6 }, () => newAccount(registration, key)));
    expect(results.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 200, 201]);
    expect(await testDb().account.count({ where: { keyThumbprint: await thumbprint(key) } })).toBe(1);
    expect(
      await testDb().auditEvent.count({ where: { action: "approval.applied", targetId: String(id) } }),
    ).toBe(1);
  });

  it("the account gets the contacts the approvers saw, whatever the repeat says", async () => {
    const key = await generateTestKey();
    const id = expectApprovalProblem(
      await newAccount(registration, key, { contact: ["mailto:seen@example.test"] }),
      SENT,
    );
    await decide(approver.token, id, "approve");
    const created = await newAccount(registration, key, { contact: ["mailto:other@example.test"] });
    expect(created.status).toBe(201);
    expect(created.body.contact).toEqual(["mailto:seen@example.test"]);
  });

  it("an invalid registration is refused before any request is made (bad contact)", async () => {
    const key = await generateTestKey();
    const res = await newAccount(registration, key, { contact: ["tel:+1"] });
    expect(res.body.type).toBe(`${PROBLEM}unsupportedContact`);
    expect(await testDb().approvalRequest.count({ where: { keyThumbprint: await thumbprint(key) } })).toBe(0);
  });
});

describe("who decides", () => {
  it("two approvals required: 1/2 stays PENDING, the same person twice → 409, a second person approves", async () => {
    const client = await new RawAcmeClient(
      directoryUrl(await createTestAlias({ registrationApprovalProfile: PROFILE.two })),
    ).init();
    const key = await generateTestKey();
    const id = expectApprovalProblem(await newAccount(client, key), SENT);
    const first = await decide(approver.token, id, "approve");
    expect(first.body).toMatchObject({
      status: "pending",
      approvals: 1,
      approvalsRequired: 2,
      canDecide: false,
    });
    expect(first.body.cannotDecideReason).toBe(`You have already decided request ${id}`);
    expectApprovalProblem(await newAccount(client, key), /state PENDING/);
    const twice = await decide(approver.token, id, "approve");
    expect(twice.status).toBe(409);
    expect(twice.body.detail).toBe(`You have already decided request ${id}`);
    const second = await decide(secondApprover.token, id, "approve");
    expect(second.body).toMatchObject({ status: "approved", approvals: 2 });
    expect(second.body.decisions.map((d: { verdict: string }) => d.verdict)).toEqual(["approve", "approve"]);
    expect((await newAccount(client, key)).status).toBe(201);
  });

  it("two approvers deciding one request at once: both counted, one after the other", async () => {
    const client = await new RawAcmeClient(
      directoryUrl(await createTestAlias({ registrationApprovalProfile: PROFILE.two })),
    ).init();
    const id = expectApprovalProblem(await newAccount(client, await generateTestKey()), SENT);
    const [a, b] = await Promise.all([
      decide(approver.token, id, "approve"),
      decide(secondApprover.token, id, "approve"),
    ]);
    expect([a.status, b.status]).toEqual([200, 200]);
    const row = await testDb().approvalRequest.findUniqueOrThrow({
      where: { id },
      include: { decisions: true },
    });
    expect(row.status).toBe("approved");
    expect(row.decisions).toHaveLength(2);
  });

  it("fail/an administrator decides only where the profile lets administrators; an auditor never (audited)", async () => {
    const strict = await new RawAcmeClient(
      directoryUrl(await createTestAlias({ registrationApprovalProfile: PROFILE.one })),
    ).init();
    const lenient = await new RawAcmeClient(
      directoryUrl(await createTestAlias({ registrationApprovalProfile: PROFILE.admins })),
    ).init();
    const strictId = expectApprovalProblem(await newAccount(strict, await generateTestKey()), SENT);
    const refused = await decide(admin, strictId, "approve");
    expect(refused.status).toBe(403);
    expect(refused.body.detail).toMatch(/does not let administrators approve/);

    const lenientId = expectApprovalProblem(await newAccount(lenient, await generateTestKey()), SENT);
    expect((await decide(admin, lenientId, "approve")).body.status).toBe("approved");

    const byAuditor = await decide(auditor, strictId, "approve");
    expect(byAuditor.status).toBe(403);
    expect(byAuditor.body.type).toBe(`${PROBLEM}unauthorized`);
    const denied = await testDb().auditEvent.findFirst({
      where: { action: "access.denied", targetId: `/api/console/approvals/${strictId}/decision` },
    });
    expect(denied?.details).toMatchObject({ role: "auditor", attempted: "approval.decided" });
    // The auditor reads the queue, and is told it decides nothing.
    const queue = await consoleApi("GET", "/api/console/approvals?pageSize=100", { token: auditor });
    expect(queue.status).toBe(200);
    expect(queue.body.items.find((r: { id: number }) => r.id === strictId)?.canDecide).toBe(false);
    expect((await testDb().approvalRequest.findUniqueOrThrow({ where: { id: strictId } })).status).toBe(
      "pending",
    );
  });

  it("fail/nobody decides a request whose contacts name them, unless the profile allows self-approval", async () => {
    const user = await testDb().user.create({
      data: { username: `self-${tag}@example.test`, role: "approver", passwordHash: "scrypt$1$1$1$x$x" },
    });
    const { token, tokenHash, prefix } = generateApiToken();
    await testDb().apiToken.create({
      data: { name: "self", role: "approver", tokenHash, prefix, createdById: user.id },
    });
    const contact = [`mailto:SELF-${tag}@example.test`];

    const id = expectApprovalProblem(
      await newAccount(registration, await generateTestKey(), { contact }),
      SENT,
    );
    const refused = await decide(token, id, "approve");
    expect(refused.status).toBe(403);
    expect(refused.body.detail).toMatch(/names you as a contact/);

    const selfAlias = await new RawAcmeClient(
      directoryUrl(await createTestAlias({ registrationApprovalProfile: PROFILE.self })),
    ).init();
    const allowed = expectApprovalProblem(
      await newAccount(selfAlias, await generateTestKey(), { contact }),
      SENT,
    );
    expect((await decide(token, allowed, "approve")).body.status).toBe("approved");
  });

  it("fail/bad decisions: unknown request 404, a verdict that is not one, a comment too long", async () => {
    expect((await decide(approver.token, 2_000_000_000, "approve")).status).toBe(404);
    expect(
      (await consoleApi("POST", "/api/console/approvals/abc/decision", { token: approver.token, body: {} }))
        .status,
    ).toBe(404);
    const verdict = await consoleApi("POST", "/api/console/approvals/1/decision", {
      token: approver.token,
      body: { verdict: "maybe" },
    });
    expect(verdict.status).toBe(422);
    expect(verdict.body.invalidParams[0]).toEqual({ name: "verdict", reason: "One of approve, reject" });
    const long = await decide(approver.token, 1, "reject", "x".repeat(1001));
    expect(long.status).toBe(422);
    expect(long.body.invalidParams[0]).toEqual({ name: "comment", reason: "At most 1000 characters" });
  });
});

function thumbprint(key: TestKey): Promise<string> {
  return calculateJwkThumbprint(key.jwk, "sha256");
}

async function rollover(client: RawAcmeClient, oldKey: TestKey, url: string, newKey: TestKey) {
  const keyChangeUrl = client.directory.keyChange as string;
  const inner = await signJws(newKey, { account: url, oldKey: oldKey.jwk }, { url: keyChangeUrl });
  return client.signedPost(oldKey, keyChangeUrl, inner, { kid: url });
}

async function registerOn(client: RawAcmeClient) {
  const key = await generateTestKey();
  const res = await newAccount(client, key);
  expect(res.status).toBe(201);
  return { key, url: res.headers.get("location") as string };
}

describe('key-change approval (spec "Approvals for the keyChange Resource")', () => {
  it("keyChange → sent; again → PENDING; the old key keeps working; approved → applied once; the new key works", async () => {
    const { key: oldKey, url } = await registerOn(keyChanges);
    const newKey = await generateTestKey("ES384");
    const id = expectApprovalProblem(await rollover(keyChanges, oldKey, url, newKey), KEY_SENT);
    expectApprovalProblem(
      await rollover(keyChanges, oldKey, url, newKey),
      new RegExp(`change the key of your ACME account has state PENDING\\. RequestID=${id}$`),
    );
    expect((await keyChanges.signedPost(oldKey, url, null, { kid: url })).status).toBe(200);

    const queued = await consoleApi("GET", `/api/console/approvals/${id}`, { token: approver.token });
    expect(queued.body).toMatchObject({
      kind: "keyChange",
      accountId: url.split("/").pop(),
      keyThumbprint: await thumbprint(newKey),
      oldKeyThumbprint: await thumbprint(oldKey),
      contact: ["mailto:client@example.test"],
    });

    expect((await decide(approver.token, id, "approve")).body.status).toBe("approved");
    const applied = await rollover(keyChanges, oldKey, url, newKey);
    expect(applied.status).toBe(200);
    expect((await keyChanges.signedPost(newKey, url, null, { kid: url })).status).toBe(200);
    expect((await keyChanges.signedPost(oldKey, url, null, { kid: url })).status).toBe(400);
    const request = await testDb().approvalRequest.findUniqueOrThrow({ where: { id } });
    expect(request.appliedAt).not.toBeNull();
    expect(request.openSlot).toBeNull();
    // The same request again, signed with the key that is gone, changes nothing.
    expect((await rollover(keyChanges, oldKey, url, newKey)).status).not.toBe(200);
    expect(
      await testDb().auditEvent.count({
        where: { action: "account.keyChanged", targetId: url.split("/").pop() },
      }),
    ).toBe(1);
  });

  it("rejected → REJECT; the key stays", async () => {
    const { key: oldKey, url } = await registerOn(keyChanges);
    const newKey = await generateTestKey();
    const id = expectApprovalProblem(await rollover(keyChanges, oldKey, url, newKey), KEY_SENT);
    await decide(approver.token, id, "reject", "not requested by the owner");
    expectApprovalProblem(await rollover(keyChanges, oldKey, url, newKey), /has state REJECT/);
    expect((await keyChanges.signedPost(oldKey, url, null, { kid: url })).status).toBe(200);
  });

  it("expired → renewed automatically on the next keyChange: a new RequestID, the old one expired; approving it applies", async () => {
    const { key: oldKey, url } = await registerOn(keyChanges);
    const newKey = await generateTestKey();
    const first = expectApprovalProblem(await rollover(keyChanges, oldKey, url, newKey), KEY_SENT);
    await expire(first);
    const renewedAnswer = await rollover(keyChanges, oldKey, url, newKey);
    const renewed = expectApprovalProblem(renewedAnswer, KEY_SENT);
    expect(renewed).not.toBe(first);
    expect(renewedAnswer.body.detail).toContain(`(it renews the expired request ${first})`);
    expect((await testDb().approvalRequest.findUniqueOrThrow({ where: { id: first } })).status).toBe(
      "expired",
    );
    expect(
      await testDb().auditEvent.count({ where: { action: "approval.renewed", targetId: String(renewed) } }),
    ).toBe(1);
    expectApprovalProblem(
      await rollover(keyChanges, oldKey, url, newKey),
      new RegExp(`PENDING\\. RequestID=${renewed}$`),
    );
    await decide(approver.token, renewed, "approve");
    expect((await rollover(keyChanges, oldKey, url, newKey)).status).toBe(200);
  });

  it("concurrent repeats of one keyChange create one request", async () => {
    const { key: oldKey, url } = await registerOn(keyChanges);
    const newKey = await generateTestKey();
    const results = await Promise.all(
      Array.from({ length: 6 }, () => rollover(keyChanges, oldKey, url, newKey)),
    );
    const ids = results.map((r) => expectApprovalProblem(r, /RequestID=\d+/));
    expect(new Set(ids).size).toBe(1);
    expect(await testDb().approvalRequest.count({ where: { accountId: url.split("/").pop() } })).toBe(1);
  });

  it("an approved key change is applied exactly once, however many identical keyChanges race for it", async () => {
    const { key: oldKey, url } = await registerOn(keyChanges);
    const newKey = await generateTestKey();
    const id = expectApprovalProblem(await rollover(keyChanges, oldKey, url, newKey), KEY_SENT);
    await decide(approver.token, id, "approve");
    const results = await Promise.all(
      Array.from({ length: 5 }, () => rollover(keyChanges, oldKey, url, newKey)),
    );
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    const accountId = url.split("/").pop();
    expect(
      await testDb().auditEvent.count({ where: { action: "account.keyChanged", targetId: accountId } }),
    ).toBe(1);
    expect(
      await testDb().auditEvent.count({ where: { action: "approval.applied", targetId: String(id) } }),
    ).toBe(1);
  });

  it("a new key another account holds → 409 at once, no request for approvers", async () => {
    const a = await registerOn(keyChanges);
    const b = await registerOn(keyChanges);
    const res = await rollover(keyChanges, a.key, a.url, b.key);
    expect(res.status).toBe(409);
    expect(await testDb().approvalRequest.count({ where: { accountId: a.url.split("/").pop() } })).toBe(0);
  });
});

describe("approval profiles through the console API", () => {
  it("fail/an alias naming a missing profile is refused (422 naming the field); the profile list says who uses each", async () => {
    const alias = `ap-${tag}`;
    expect(
      (await consoleApi("POST", "/api/console/aliases", { token: admin, body: { name: alias } })).status,
    ).toBe(201);
    const refused = await consoleApi("PATCH", `/api/console/aliases/${alias}`, {
      token: admin,
      body: { settings: { registrationApprovalProfile: "no such profile" } },
    });
    expect(refused.status).toBe(422);
    expect(refused.body.invalidParams).toEqual([
      {
        name: "settings.registrationApprovalProfile",
        reason:
          'No approval profile named "no such profile" exists; create it on the approval profiles page first',
      },
    ]);
    const stored = await consoleApi("PATCH", `/api/console/aliases/${alias}`, {
      token: admin,
      body: { settings: { registrationApprovalProfile: PROFILE.two, keyChangeApprovalProfile: PROFILE.two } },
    });
    expect(stored.status).toBe(200);
    expect(stored.body.flags).toEqual(["approvals"]);
    const profile = await consoleApi("GET", `/api/console/approval-profiles/${PROFILE.two}`, {
      token: auditor,
    });
    expect(profile.body.usedBy).toContainEqual({ alias, registration: true, keyChange: true });
    const deletion = await consoleApi("DELETE", `/api/console/approval-profiles/${PROFILE.two}`, {
      token: admin,
    });
    expect(deletion.status).toBe(409);
  });

  it("fail/invalid profiles → 422 with the form's messages; approvers and auditors change none", async () => {
    for (const [body, name, reason] of [
      [{ name: "x", approvalsRequired: 0 }, "approvalsRequired", "From 1 to 5 approvals"],
      [{ name: "x", approvalsRequired: 6 }, "approvalsRequired", "From 1 to 5 approvals"],
      [
        { name: "x", requestValidity: "10m" },
        "requestValidity",
        'Use units d, h, m, s, e.g. "7d" or "2d 12h" (1h to 365d)',
      ],
      [{ name: "bad/name" }, "name", "A profile name is 1 to 64 letters, digits, spaces, '.', '_' or '-'"],
    ] as const) {
      const res = await consoleApi("POST", "/api/console/approval-profiles", { token: admin, body });
      expect(res.status, JSON.stringify(body)).toBe(422);
      expect(res.body.invalidParams[0]).toEqual({ name, reason });
    }
    expect(
      (
        await consoleApi("POST", "/api/console/approval-profiles", {
          token: admin,
          body: { name: PROFILE.one },
        })
      ).status,
    ).toBe(409);
    for (const token of [approver.token, auditor]) {
      expect(
        (await consoleApi("POST", "/api/console/approval-profiles", { token, body: { name: `n-${tag}` } }))
          .status,
      ).toBe(403);
      expect(
        (
          await consoleApi("PATCH", `/api/console/approval-profiles/${PROFILE.one}`, {
            token,
            body: { approvalsRequired: 3 },
          })
        ).status,
      ).toBe(403);
      expect(
        (await consoleApi("DELETE", `/api/console/approval-profiles/${PROFILE.one}`, { token })).status,
      ).toBe(403);
    }
    const changed = await consoleApi("PATCH", `/api/console/approval-profiles/${PROFILE.one}`, {
      token: admin,
      body: { requestValidity: "36h" },
    });
    expect(changed.body).toMatchObject({ requestValidity: "1d 12h", approvalsRequired: 1 });
    await consoleApi("PATCH", `/api/console/approval-profiles/${PROFILE.one}`, {
      token: admin,
      body: { requestValidity: "7d" },
    });
  });

  it("the overview counts open requests", async () => {
    const before = (await consoleApi("GET", "/api/console/overview", { token: approver.token })).body.counts
      .pendingApprovals;
    expectApprovalProblem(await newAccount(registration, await generateTestKey()), SENT);
    const after = (await consoleApi("GET", "/api/console/overview", { token: approver.token })).body.counts
      .pendingApprovals;
    expect(after).toBe(before + 1);
    expect(after).toBe(
      await testDb().approvalRequest.count({ where: { status: "pending", expiresAt: { gt: new Date() } } }),
    );
  });
});
