// The console's JSON API refuses what the console refuses: no credentials (401), a role without
// the permission (403), invalid alias names, reserved and duplicate names, and invalid field
// values of every group with the messages the console's forms show (the same zod schema).
import { randomBytes } from "node:crypto";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateApiToken } from "@/lib/auth/api-tokens";
import { aliasSettingsInputSchema } from "@/lib/console/schemas/aliases";
import { NOT_ENFORCED_ALIAS_FIELDS } from "@/lib/ra/alias-settings";
// The console's forms parse with zod's human messages installed (components/shell/Providers.tsx).
import "@/lib/zod-messages";
import { createTestToken, createTestUserWithToken } from "../support/console-tokens";
import { enableAcme, keyward, testDb } from "../support/keyward";

let adminToken: string;
let auditorToken: string;
let approverToken: string;

beforeAll(async () => {
  await enableAcme();
  adminToken = await createTestToken(testDb(), "administrator");
  auditorToken = await createTestToken(testDb(), "auditor");
  approverToken = await createTestToken(testDb(), "approver");
});

// biome-ignore lint/suspicious/noExplicitAny: problem documents and JSON answers, asserted field by field
type Answer = { status: number; body: any; contentType: string | null };

async function api(
  method: string,
  pathname: string,
  opts: { token?: string | null; body?: unknown; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const headers: Record<string, string> = { ...opts.headers };
  const token = opts.token === undefined ? adminToken : opts.token;
  if (token) headers.authorization = `Bearer ${token}`;
  if (opts.body !== undefined) headers["content-type"] ??= "application/json";
  const res = await fetch(`${keyward().httpUrl}${pathname}`, {
    method,
    headers,
    body:
      opts.body === undefined
        ? undefined
        : typeof opts.body === "string"
          ? opts.body
          : JSON.stringify(opts.body),
  });
  const text = await res.text();
  return {
    status: res.status,
    body: text ? JSON.parse(text) : null,
    contentType: res.headers.get("content-type"),
  };
}

const uniqueName = (prefix = "api") => `${prefix}-${randomBytes(4).toString("hex")}`;

/** The message the console's form shows for `field` = `value` (same schema). */
function consoleMessage(field: string, value: unknown): string {
  const parsed = aliasSettingsInputSchema.safeParse({ [field]: value });
  const issue = parsed.success ? undefined : parsed.error.issues.find((i) => i.path[0] === field);
  if (!issue) throw new Error(`the schema accepts ${field}=${JSON.stringify(value)}`);
  return issue.message;
}

describe("authentication and roles", () => {
  it("fail/no credentials → 401 problem document", async () => {
    for (const [method, p] of [
      ["GET", "/api/console/aliases"],
      ["PUT", "/api/console/protocol"],
      ["GET", "/api/console/audit"],
    ] as const) {
      const res = await api(method, p, {
        token: null,
        body: method === "PUT" ? { acmeEnabled: true } : undefined,
      });
      expect(res.status).toBe(401);
      expect(res.contentType).toBe("application/problem+json");
      expect(res.body.type).toBe("urn:ietf:params:acme:error:unauthorized");
    }
  });

  it("fail/unknown, malformed or revoked token → 401", async () => {
    expect((await api("GET", "/api/console/me", { token: `kw_${"A".repeat(43)}` })).status).toBe(401);
    expect((await api("GET", "/api/console/me", { token: "not-a-token" })).status).toBe(401);
    const created = await api("POST", "/api/console/tokens", {
      body: { name: "to revoke", role: "auditor" },
    });
    expect(created.status).toBe(201);
    expect((await api("GET", "/api/console/me", { token: created.body.token })).status).toBe(200);
    expect((await api("DELETE", `/api/console/tokens/${created.body.apiToken.id}`)).status).toBe(200);
    expect((await api("GET", "/api/console/me", { token: created.body.token })).status).toBe(401);
  });

  it("fail/an auditor token may read but every change is refused with 403, and audited", async () => {
    expect((await api("GET", "/api/console/aliases", { token: auditorToken })).status).toBe(200);
    expect((await api("GET", "/api/console/audit", { token: auditorToken })).status).toBe(200);
    // Issue 15 item 10: token metadata is readable by auditors (never a secret).
    expect((await api("GET", "/api/console/tokens", { token: auditorToken })).status).toBe(200);
    const attempts: [string, string, unknown?][] = [
      ["PUT", "/api/console/protocol", { acmeEnabled: false }],
      ["PUT", "/api/console/settings", { replayNonceValidityMs: 5000 }],
      ["POST", "/api/console/aliases", { name: uniqueName() }],
      ["PATCH", "/api/console/aliases/default", { settings: { orderValidity: "2h" } }],
      ["POST", "/api/console/aliases/default/rename", { newName: uniqueName() }],
      ["POST", "/api/console/aliases/default/clone", { newName: uniqueName() }],
      ["DELETE", "/api/console/aliases/default"],
      ["POST", "/api/console/users", { username: uniqueName("u"), role: "administrator" }],
      ["POST", "/api/console/tokens", { name: "x", role: "administrator" }],
      ["PATCH", "/api/console/users/admin", { disabled: true }],
      ["DELETE", "/api/console/tokens/00000000-0000-4000-8000-000000000000"],
    ];
    for (const [method, p, body] of attempts) {
      const res = await api(method, p, { token: auditorToken, body });
      expect(res.status, `${method} ${p}`).toBe(403);
      expect(res.body.type).toBe("urn:ietf:params:acme:error:unauthorized");
    }
    const denied = await testDb().auditEvent.findFirst({
      where: { action: "access.denied", targetId: "/api/console/aliases/default" },
      orderBy: { id: "desc" },
    });
    expect(denied?.details).toMatchObject({ role: "auditor", required: "aliases.manage" });
    // Nothing changed: ACME still on, the default alias still there.
    expect((await fetch(`${keyward().httpUrl}/acme/directory`)).status).toBe(200);
  });

  it("fail/an approver cannot configure either", async () => {
    expect(
      (await api("POST", "/api/console/aliases", { token: approverToken, body: { name: uniqueName() } }))
        .status,
    ).toBe(403);
    expect((await api("GET", "/api/console/audit", { token: approverToken })).status).toBe(403);
  });

  it("fail/a body that is not JSON → 415 or 422", async () => {
    expect(
      (
        await api("POST", "/api/console/aliases", {
          body: "name=x",
          headers: { "content-type": "application/x-www-form-urlencoded" },
        })
      ).status,
    ).toBe(415);
    const bad = await api("POST", "/api/console/aliases", { body: "{not json" });
    expect(bad.status).toBe(422);
    expect(bad.body.invalidParams[0].name).toBe("body");
  });

  it("the OpenAPI document is served and lists every console route", async () => {
    const res = await fetch(`${keyward().httpUrl}/api/console/openapi.json`);
    expect(res.status).toBe(200);
    const doc = await res.json();
    expect(doc.openapi).toBe("3.1.0");
    for (const p of [
      "/api/console/aliases",
      "/api/console/aliases/{alias}",
      "/api/console/protocol",
      "/api/console/settings",
      "/api/console/users",
      "/api/console/tokens",
      "/api/console/audit",
    ]) {
      expect(doc.paths[p], p).toBeDefined();
    }
    expect(Object.keys(doc.components.schemas.AliasSettings.properties)).toContain("orderValidity");
  });
});

describe("a token acts with no more than its owner's current role", () => {
  it("fail/an administrator's token changes nothing once its owner is demoted to auditor; ok/again after promotion", async () => {
    const owner = await createTestUserWithToken(testDb(), "administrator");
    const asOwnerToken = (method: string, p: string, body?: unknown) =>
      api(method, p, { token: owner.token, body });
    const demoted = await api("PATCH", `/api/console/users/${owner.username}`, { body: { role: "auditor" } });
    expect(demoted.status).toBe(200);

    const refusedAlias = uniqueName();
    const refusedUser = uniqueName("u");
    const attempts: [string, string, unknown?][] = [
      ["POST", "/api/console/aliases", { name: refusedAlias }],
      ["POST", "/api/console/users", { username: refusedUser, role: "administrator" }],
      ["PATCH", `/api/console/users/${owner.username}`, { role: "administrator" }],
      ["POST", "/api/console/tokens", { name: "escape", role: "administrator" }],
      ["PUT", "/api/console/protocol", { acmeEnabled: false }],
    ];
    for (const [method, p, body] of attempts) {
      const res = await asOwnerToken(method, p, body);
      expect(res.status, `${method} ${p}`).toBe(403);
      expect(res.body.type).toBe("urn:ietf:params:acme:error:unauthorized");
      expect(res.body.detail).toContain(
        `acts for "${owner.username}", whose auditor role does not allow this`,
      );
    }
    // Nothing happened: no alias, no user, the owner still an auditor, ACME still on.
    expect((await api("GET", `/api/console/aliases/${refusedAlias}`)).status).toBe(404);
    expect(await testDb().user.findUnique({ where: { username: refusedUser } })).toBeNull();
    expect((await testDb().user.findUniqueOrThrow({ where: { username: owner.username } })).role).toBe(
      "auditor",
    );
    expect((await fetch(`${keyward().httpUrl}/acme/directory`)).status).toBe(200);
    const denied = await testDb().auditEvent.findFirst({
      where: {
        action: "access.denied",
        actor: { startsWith: "token:" },
        targetId: `/api/console/users/${owner.username}`,
      },
      orderBy: { id: "desc" },
    });
    expect(denied?.details).toMatchObject({
      role: "administrator",
      ownerRole: "auditor",
      required: "users.manage",
    });

    // What both roles allow still works, and the token says what it may do.
    expect((await asOwnerToken("GET", "/api/console/audit")).status).toBe(200);
    const me = await asOwnerToken("GET", "/api/console/me");
    expect(me.body).toMatchObject({
      kind: "token",
      role: "administrator",
      owner: { username: owner.username, role: "auditor" },
      permissions: ["console.read", "users.read", "tokens.read", "audit.read"],
    });

    // Promoted back: the same token configures again, on its next request.
    const promoted = await api("PATCH", `/api/console/users/${owner.username}`, {
      body: { role: "administrator" },
    });
    expect(promoted.status).toBe(200);
    expect((await asOwnerToken("POST", "/api/console/aliases", { name: refusedAlias })).status).toBe(201);
    expect(
      (await asOwnerToken("POST", "/api/console/users", { username: refusedUser, role: "auditor" })).status,
    ).toBe(201);
    expect(
      (await asOwnerToken("PATCH", `/api/console/users/${owner.username}`, { role: "administrator" })).status,
    ).toBe(200);
    expect((await api("DELETE", `/api/console/aliases/${refusedAlias}`)).status).toBe(204);
  });

  it("fail/a token whose role allows more than its owner's → 422 naming role, nothing stored", async () => {
    // An administrator does not decide approvals: an approver token would add approvals.decide.
    const approver = await api("POST", "/api/console/tokens", {
      body: { name: "above-owner", role: "approver" },
    });
    expect(approver.status).toBe(422);
    expect(approver.contentType).toBe("application/problem+json");
    expect(approver.body.invalidParams).toHaveLength(1);
    expect(approver.body.invalidParams[0].name).toBe("role");
    expect(approver.body.invalidParams[0].reason).toContain("approvals.decide");
    expect(approver.body.invalidParams[0].reason).toContain("Allowed: administrator, auditor");
    expect(await testDb().apiToken.count({ where: { name: "above-owner" } })).toBe(0);
    // Roles within the owner's are accepted, and audited as before.
    for (const role of ["administrator", "auditor"]) {
      const created = await api("POST", "/api/console/tokens", { body: { name: `within-${role}`, role } });
      expect(created.status, role).toBe(201);
      expect(created.body.apiToken).toMatchObject({
        role,
        ownerRole: "administrator",
        limitedByOwner: false,
      });
      const audit = await testDb().auditEvent.findFirst({
        where: { action: "token.created", targetId: created.body.apiToken.id },
      });
      expect(audit?.details).toMatchObject({ after: { role } });
    }
  });
});

describe("alias names", () => {
  it("fail/invalid names → 422 naming the field, nothing stored", async () => {
    for (const name of ["bad name", "", "a/b", "ümlaut", "x".repeat(251), "dot.name"]) {
      const res = await api("POST", "/api/console/aliases", { body: { name } });
      expect(res.status, JSON.stringify(name)).toBe(422);
      expect(res.contentType).toBe("application/problem+json");
      expect(res.body.invalidParams).toEqual([
        { name: "name", reason: "An alias name is 1 to 250 letters, digits, '-' or '_'" },
      ]);
    }
    expect(await testDb().alias.count({ where: { name: { in: ["bad name", "a/b", "dot.name"] } } })).toBe(0);
  });

  it("ok/names of 1 and 250 characters, case-sensitive", async () => {
    const suffix = randomBytes(3).toString("hex");
    for (const name of [`${"y".repeat(244)}${suffix}`, `Case_${suffix}`, `case_${suffix}`]) {
      expect((await api("POST", "/api/console/aliases", { body: { name } })).status, name).toBe(201);
    }
  });

  it("fail/names of ACME resources are refused, whatever their case", async () => {
    for (const name of ["directory", "newOrder", "NEWORDER", "acct", "revokeCert"]) {
      const res = await api("POST", "/api/console/aliases", { body: { name } });
      expect(res.status, name).toBe(422);
      expect(res.body.invalidParams[0]).toEqual({
        name: "name",
        reason: `"${name}" is the name of an ACME resource`,
      });
    }
  });

  it("fail/duplicates → 409 (create, clone, rename)", async () => {
    const a = uniqueName();
    const b = uniqueName();
    expect((await api("POST", "/api/console/aliases", { body: { name: a } })).status).toBe(201);
    expect((await api("POST", "/api/console/aliases", { body: { name: b } })).status).toBe(201);
    const dup = await api("POST", "/api/console/aliases", { body: { name: a } });
    expect(dup.status).toBe(409);
    expect(dup.body.invalidParams[0]).toEqual({
      name: "name",
      reason: `An alias named "${a}" already exists`,
    });
    expect((await api("POST", `/api/console/aliases/${a}/clone`, { body: { newName: b } })).status).toBe(409);
    const rename = await api("POST", `/api/console/aliases/${a}/rename`, { body: { newName: b } });
    expect(rename.status).toBe(409);
    expect(rename.body.invalidParams[0].name).toBe("newName");
    expect(
      (await api("POST", `/api/console/aliases/${a}/rename`, { body: { newName: "newNonce" } })).status,
    ).toBe(422);
  });
});

describe("alias settings", () => {
  let alias: string;
  beforeAll(async () => {
    alias = uniqueName("fields");
    expect((await api("POST", "/api/console/aliases", { body: { name: alias } })).status).toBe(201);
  });

  it("a new alias answers a problem document until it is stored; then it serves its settings", async () => {
    const before = await fetch(`${keyward().httpUrl}/acme/${alias}/directory`);
    expect(before.status).toBe(403);
    expect((await before.json()).detail).toContain("has not been stored yet");
    const stored = await api("PATCH", `/api/console/aliases/${alias}`, {
      body: {
        settings: {
          orderValidity: "30s 30m 1h",
          websiteUrl: "https://ca.example/",
          authorizedRedirectPorts: "80, 443",
        },
      },
    });
    expect(stored.status).toBe(200);
    expect(stored.body.configured).toBe(true);
    expect(stored.body.settings.orderValidity).toBe("1h 30m 30s");
    expect(stored.body.settings.authorizedRedirectPorts).toEqual([80, 443]);
    const after = await fetch(`${keyward().httpUrl}/acme/${alias}/directory`);
    expect(after.status).toBe(200);
    expect((await after.json()).meta.website).toBe("https://ca.example/");
    const audit = await testDb().auditEvent.findFirst({
      where: { action: "alias.updated", targetId: stored.body.id },
      orderBy: { id: "desc" },
    });
    expect(audit?.details).toMatchObject({
      before: { orderValidity: "1h", configured: false },
      after: { orderValidity: "1h 30m 30s", configured: true },
    });
  });

  // One invalid value per group of the spec; the reason is the console form's message.
  const invalid: [group: string, field: string, value: unknown][] = [
    ["naming", "raNameGenScheme", "BOGUS"],
    ["naming", "raNameGenPrefix", "p".repeat(251)],
    ["identifiers", "orderValidity", "10x"],
    ["identifiers", "orderValidity", "400d"],
    ["identifiers", "dnsIdentifierChallengeTypes", "http-02"],
    ["identifiers", "authorizedRedirectPorts", [80, 70000]],
    ["identifiers", "retryAfterSeconds", -1],
    ["identifiers", "preAuthorizationAllowed", "yes"],
    ["dns", "dnsPort", 70000],
    ["dns", "dnsPort", 0],
    ["dns", "dnsResolver", "999.1.1.1"],
    ["terms", "websiteUrl", "not a url"],
    ["terms", "termsOfServiceUrl", "ftp://ca.example/tos"],
    ["terms", "caaIdentities", "x".repeat(254)],
    ["approvals", "registrationApprovalProfile", "a".repeat(251)],
    ["security", "requireExternalAccountBinding", "true"],
    ["chains", "preferredRootCaSubjectDn", "c".repeat(1025)],
  ];
  for (const [group, field, value] of invalid) {
    it(`fail/${group}: ${field} = ${JSON.stringify(value).slice(0, 30)} → 422 with the console's message, nothing stored`, async () => {
      const before = await api("GET", `/api/console/aliases/${alias}`);
      const res = await api("PATCH", `/api/console/aliases/${alias}`, {
        body: { settings: { [field]: value } },
      });
      expect(res.status).toBe(422);
      const param = res.body.invalidParams.find((p: { name: string }) =>
        p.name.startsWith(`settings.${field}`),
      );
      expect(param, JSON.stringify(res.body)).toBeDefined();
      expect(param.reason).toBe(consoleMessage(field, value));
      // Never zod's raw wording ("Too big: expected string to have <=250 characters").
      expect(param.reason).not.toMatch(/Too big|Too small|Invalid input|expected|received/);
      const after = await api("GET", `/api/console/aliases/${alias}`);
      expect(after.body.settings).toEqual(before.body.settings);
    });
  }

  it("fail/a value over a limit says the limit as people say it, the same in the API and the form", async () => {
    for (const [field, value, reason] of [
      ["raNameGenPrefix", "p".repeat(251), "At most 250 characters"],
      ["caaIdentities", Array.from({ length: 21 }, (_, i) => `ca${i}.example`), "At most 20 items"],
      ["endEntityProfile", "e".repeat(251), "At most 250 characters"],
      ["preAuthorizationAllowed", "yes", "true or false"],
    ] as const) {
      const res = await api("PATCH", `/api/console/aliases/${alias}`, {
        body: { settings: { [field]: value } },
      });
      expect(res.status).toBe(422);
      expect(res.body.invalidParams).toContainEqual({ name: `settings.${field}`, reason });
      expect(consoleMessage(field, value)).toBe(reason);
    }
    // The same for the global settings form and its API route.
    const settings = await api("PUT", "/api/console/settings", { body: { defaultAlias: "d".repeat(251) } });
    expect(settings.body.invalidParams).toContainEqual({
      name: "defaultAlias",
      reason: "At most 250 characters",
    });
  });

  it("fail/unknown fields are refused by name", async () => {
    const res = await api("PATCH", `/api/console/aliases/${alias}`, {
      body: { settings: { orderValidty: "2h" } },
    });
    expect(res.status).toBe(422);
    expect(res.body.invalidParams).toEqual([{ name: "settings.orderValidty", reason: "Unknown field" }]);
  });

  it("fail/global settings: nonce validity and an unknown default alias", async () => {
    const res = await api("PUT", "/api/console/settings", { body: { replayNonceValidityMs: 10 } });
    expect(res.status).toBe(422);
    expect(res.body.invalidParams[0].name).toBe("replayNonceValidityMs");
    const unknown = await api("PUT", "/api/console/settings", { body: { defaultAlias: "no-such-alias" } });
    expect(unknown.status).toBe(422);
    expect(unknown.body.invalidParams[0]).toEqual({
      name: "defaultAlias",
      reason: 'Alias "no-such-alias" does not exist',
    });
  });

  it("rename keeps the alias's settings and moves its URLs; delete removes it", async () => {
    const renamed = uniqueName("renamed");
    const res = await api("POST", `/api/console/aliases/${alias}/rename`, { body: { newName: renamed } });
    expect(res.status).toBe(200);
    expect(res.body.settings.orderValidity).toBe("1h 30m 30s");
    expect((await fetch(`${keyward().httpUrl}/acme/${alias}/directory`)).status).toBe(404);
    expect((await fetch(`${keyward().httpUrl}/acme/${renamed}/directory`)).status).toBe(200);
    expect((await api("DELETE", `/api/console/aliases/${renamed}`)).status).toBe(204);
    expect((await api("GET", `/api/console/aliases/${renamed}`)).status).toBe(404);
  });
});

describe("alias fields that are not enforced yet", () => {
  it("the alias JSON lists them with a reason; the list raises no flag for them; OpenAPI says so", async () => {
    const name = uniqueName("unenforced");
    expect((await api("POST", "/api/console/aliases", { body: { name } })).status).toBe(201);
    const stored = await api("PATCH", `/api/console/aliases/${name}`, {
      body: {
        settings: {
          requireClientCertificate: true,
          requireExternalAccountBinding: true,
        },
      },
    });
    expect(stored.status).toBe(200);
    // Stored as given, and marked as changing nothing yet.
    expect(stored.body.settings).toMatchObject({
      requireClientCertificate: true,
      requireExternalAccountBinding: true,
    });
    expect(stored.body.notEnforced).toEqual(
      NOT_ENFORCED_ALIAS_FIELDS.map(({ field, reason }) => ({ field, reason })),
    );
    const fields = stored.body.notEnforced.map((f: { field: string }) => f.field);
    expect(fields).toContain("dnssecTrustAnchor");
    // Made real by issue 12 item 4: end entities are named by the RA name generation fields.
    for (const field of ["raNameGenScheme", "raNameGenParams", "raNameGenPrefix", "raNameGenPostfix"]) {
      expect(fields).not.toContain(field);
    }
    // Made real by issue 12: the chain served follows the preferred root.
    expect(fields).not.toContain("preferredRootCaSubjectDn");
    // EAB and client certificates are enforced, so they are flags; the others raise none.
    expect(fields).not.toContain("requireExternalAccountBinding");
    expect(fields).not.toContain("requireClientCertificate");
    // Made real by issue 10: approvals and changes of the terms of service; by issue 12: the end
    // entity profile.
    for (const field of [
      "endEntityProfile",
      "registrationApprovalProfile",
      "keyChangeApprovalProfile",
      "termsOfServiceChangeUrl",
      "termsOfServiceRequireNewApproval",
      "agreeToNewTermsOfServiceAllowed",
    ]) {
      expect(fields).not.toContain(field);
    }
    expect((await api("GET", `/api/console/aliases/${name}`)).body.notEnforced).toEqual(
      stored.body.notEnforced,
    );
    const list = await api("GET", `/api/console/aliases?q=${name}`);
    expect(list.body.items).toHaveLength(1);
    expect(list.body.items[0].flags).toEqual(["eab", "client-certificate"]);

    const doc = await (await fetch(`${keyward().httpUrl}/api/console/openapi.json`)).json();
    const properties = doc.components.schemas.AliasSettings.properties;
    for (const { field, reason } of NOT_ENFORCED_ALIAS_FIELDS) {
      expect(properties[field].description, field).toBe(`Not enforced yet: ${reason}`);
    }
    expect(properties.requireExternalAccountBinding.description ?? "").not.toContain("Not enforced");
    expect(properties.requireClientCertificate.description ?? "").not.toContain("Not enforced");
    expect(doc.components.schemas.Alias.properties.notEnforced.type).toBe("array");
    expect((await api("DELETE", `/api/console/aliases/${name}`)).status).toBe(204);
  });
});

describe("users", () => {
  it("fail/invalid users are refused like the console refuses them", async () => {
    const short = await api("POST", "/api/console/users", {
      body: { username: uniqueName("u"), role: "auditor", password: "short" },
    });
    expect(short.status).toBe(422);
    expect(short.body.invalidParams[0]).toEqual({ name: "password", reason: "At least 12 characters" });
    const role = await api("POST", "/api/console/users", {
      body: { username: uniqueName("u"), role: "root" },
    });
    expect(role.body.invalidParams[0]).toEqual({
      name: "role",
      reason: "One of administrator, approver, auditor",
    });
    const name = await api("POST", "/api/console/users", { body: { username: "bad name", role: "auditor" } });
    expect(name.body.invalidParams[0].name).toBe("username");
  });

  it("a user without a password gets a one-time password; disabling a user stops their tokens", async () => {
    const username = uniqueName("u");
    const created = await api("POST", "/api/console/users", { body: { username, role: "administrator" } });
    expect(created.status).toBe(201);
    expect(created.body.oneTimePassword).toMatch(/^[A-Za-z0-9]{20}$/);
    expect(created.body.user.mustChangePassword).toBe(true);
    const user = await testDb().user.findUniqueOrThrow({ where: { username } });
    expect(user.passwordHash).toMatch(/^scrypt\$32768\$8\$1\$/);
    const { token, tokenHash, prefix } = generateApiToken();
    await testDb().apiToken.create({
      data: { name: "owned", role: "auditor", tokenHash, prefix, createdById: user.id },
    });
    expect((await api("GET", "/api/console/me", { token })).status).toBe(200);
    expect((await api("PATCH", `/api/console/users/${username}`, { body: { disabled: true } })).status).toBe(
      200,
    );
    expect((await api("GET", "/api/console/me", { token })).status).toBe(401);
  });
});

describe("the default alias rule (spec: adding or removing an alias that leaves exactly one makes it the default)", () => {
  // On a database of its own: the shared server's database has many aliases.
  let restore: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    const { startEmbeddedDatabase } = await import("@/lib/db/embedded");
    const { createFreshDatabase } = await import("../support/test-db");
    let url: string;
    if (process.env.DATABASE_URL) {
      const fresh = await createFreshDatabase(process.env.DATABASE_URL, "rule");
      url = fresh.url;
      restore = fresh.drop;
    } else {
      const dir = await fs.mkdtemp(path.join(os.tmpdir(), "keyward-rule-"));
      const embedded = await startEmbeddedDatabase({ dataDir: dir });
      url = embedded.url;
      restore = async () => {
        await embedded.stop();
        await fs.rm(dir, { recursive: true, force: true });
      };
    }
    const { applyMigrations } = await import("@/lib/db/migrate");
    await applyMigrations(url);
    // The services use the process-wide client, which follows the adopted DATABASE_URL.
    const { adoptDatabaseUrl } = await import("@/lib/env");
    adoptDatabaseUrl(url);
    const { db } = await import("@/lib/db/client");
    await db().globalSettings.create({ data: { id: 1, nonceKeySealed: new Uint8Array(32) } });
  }, 120_000);
  afterAll(async () => {
    const { closeDb } = await import("@/lib/db/client");
    await closeDb();
    await restore?.();
  });

  it("ok/first start: an administrator with a one-time password is created once", async () => {
    const { ensureFirstAdministrator, firstAdministratorBanner } = await import("@/lib/auth/bootstrap-admin");
    const { db } = await import("@/lib/db/client");
    const first = await ensureFirstAdministrator(db());
    expect(first).toMatchObject({ username: "admin", oneTime: true });
    expect(first?.password).toMatch(/^[A-Za-z0-9]{20}$/);
    expect(firstAdministratorBanner(first).join("\n")).toContain(first?.password as string);
    expect(await db().user.findUnique({ where: { username: "admin" } })).toMatchObject({
      role: "administrator",
      mustChangePassword: true,
    });
    expect(await ensureFirstAdministrator(db())).toBeNull();
  });

  it("ok/the first alias becomes the default, the second does not; deleting down to one makes it the default", async () => {
    const { CLI_ACTOR } = await import("@/lib/auth/actor");
    const { createAlias, deleteAlias, cloneAlias } = await import("@/lib/console/aliases");
    const { updateGlobalSettings } = await import("@/lib/console/settings");
    const actor = CLI_ACTOR;
    const first = await createAlias({ actor, name: "first" });
    expect(first.isDefault).toBe(true);
    const second = await createAlias({ actor, name: "second" });
    expect(second.isDefault).toBe(false);
    await cloneAlias({ actor, name: "second", newName: "third" });
    // The default goes away with its alias while two are left …
    await deleteAlias({ actor, name: "first" });
    const { db } = await import("@/lib/db/client");
    expect((await db().globalSettings.findUniqueOrThrow({ where: { id: 1 } })).defaultAliasId).toBeNull();
    // … and the one left after the next removal becomes the default.
    await deleteAlias({ actor, name: "second" });
    const third = await db().alias.findUniqueOrThrow({ where: { name: "third" } });
    expect((await db().globalSettings.findUniqueOrThrow({ where: { id: 1 } })).defaultAliasId).toBe(third.id);
    // Removing the last one leaves no default; adding one makes it the default again.
    await updateGlobalSettings({ actor, input: { defaultAlias: null } });
    await deleteAlias({ actor, name: "third" });
    const again = await createAlias({ actor, name: "again" });
    expect(again.isDefault).toBe(true);
    const events = await db().auditEvent.findMany({ where: { action: "settings.updated" } });
    expect(events.length).toBeGreaterThanOrEqual(3);
  });
});
