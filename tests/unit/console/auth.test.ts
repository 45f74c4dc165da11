// Passwords, API tokens and role permissions: the pieces the console's guard is made of.
import { describe, expect, it } from "vitest";
import { actorCan, permissionDeniedProblem, tokenActor } from "@/lib/auth/actor";
import { generateApiToken, hashApiToken, isApiTokenShaped } from "@/lib/auth/api-tokens";
import { generatePassword, hashPassword, verifyPassword } from "@/lib/auth/passwords";
import {
  commonPermissions,
  hasPermission,
  PERMISSIONS,
  permissionsBeyond,
  ROLE_PERMISSIONS,
  ROLES,
  rolesWithin,
} from "@/lib/auth/permissions";

describe("passwords", () => {
  it("ok/scrypt with a per-user salt verifies the right password only", async () => {
    const a = await hashPassword("correct horse battery");
    const b = await hashPassword("correct horse battery");
    expect(a).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword("correct horse battery", a)).toBe(true);
    expect(await verifyPassword("correct horse batterY", a)).toBe(false);
  });

  it("fail/malformed hashes never verify", async () => {
    for (const stored of [
      "",
      "plain",
      "scrypt$1$1$1$x",
      "bcrypt$10$abc$def$ghi$jkl",
      "scrypt$99999999$8$1$AAAA$AAAA",
    ]) {
      expect(await verifyPassword("x", stored)).toBe(false);
    }
  });

  it("ok/generated passwords are 20 characters of an unambiguous alphabet", () => {
    const p = generatePassword();
    expect(p).toMatch(/^[A-HJ-NP-Za-km-z2-9]{20}$/);
    expect(generatePassword()).not.toBe(p);
  });
});

describe("API tokens", () => {
  it("ok/kw_ + 43 base64url characters; only the SHA-256 is kept", () => {
    const { token, tokenHash, prefix } = generateApiToken();
    expect(isApiTokenShaped(token)).toBe(true);
    expect(tokenHash).toBe(hashApiToken(token));
    expect(tokenHash).toMatch(/^[0-9a-f]{64}$/);
    expect(token.startsWith(prefix)).toBe(true);
    expect(isApiTokenShaped(`${token}x`)).toBe(false);
  });
});

describe("roles", () => {
  it("ok/an auditor reads and changes nothing; an approver decides approvals; an administrator configures", () => {
    const changes = PERMISSIONS.filter(
      (p) => !["console.read", "users.read", "tokens.read", "audit.read"].includes(p),
    );
    for (const p of changes) expect(hasPermission("auditor", p), p).toBe(false);
    expect(hasPermission("auditor", "audit.read")).toBe(true);
    // Issue 15 item 10: auditors read API token metadata (never a secret), and change no token.
    expect(hasPermission("auditor", "tokens.read")).toBe(true);
    expect(ROLE_PERMISSIONS.approver).toEqual(["console.read", "approvals.decide"]);
    for (const p of [
      "protocol.manage",
      "aliases.manage",
      "users.read",
      "users.manage",
      "tokens.manage",
    ] as const) {
      expect(hasPermission("administrator", p)).toBe(true);
    }
    for (const role of ROLES) expect(hasPermission(role, "console.read")).toBe(true);
  });
});

describe("a token acts with the lower of its role and its owner's current role", () => {
  const owner = (role: (typeof ROLES)[number]) => ({ id: "u1", username: "alice", role });
  const adminToken = { id: "t1", name: "ci", role: "administrator" as const };

  it("ok/roles are not a chain: the lower of two is what both allow", () => {
    expect(commonPermissions("administrator", "auditor")).toEqual([
      "console.read",
      "users.read",
      "tokens.read",
      "audit.read",
    ]);
    // Neither decides approvals and configures: an administrator's approver token only reads.
    expect(commonPermissions("administrator", "approver")).toEqual(["console.read"]);
    for (const a of ROLES) expect(commonPermissions(a, a)).toEqual(ROLE_PERMISSIONS[a]);
  });

  it("ok/a token of an administrator whose owner is now an auditor changes nothing", () => {
    const actor = tokenActor(adminToken, owner("auditor"));
    for (const p of ["aliases.manage", "users.manage", "tokens.manage", "protocol.manage"] as const) {
      expect(actorCan(actor, p), p).toBe(false);
    }
    expect(actorCan(actor, "audit.read")).toBe(true);
    expect(permissionDeniedProblem(actor, "users.manage").detail).toBe(
      'This token acts for "alice", whose auditor role does not allow this (users.manage is required)',
    );
    expect(actorCan(tokenActor(adminToken, owner("administrator")), "users.manage")).toBe(true);
  });

  it("ok/the roles a token may be given are those allowing nothing beyond its owner's", () => {
    expect(rolesWithin(ROLE_PERMISSIONS.administrator)).toEqual(["administrator", "auditor"]);
    expect(rolesWithin(ROLE_PERMISSIONS.approver)).toEqual(["approver"]);
    expect(rolesWithin(ROLE_PERMISSIONS.auditor)).toEqual(["auditor"]);
    expect(permissionsBeyond("approver", ROLE_PERMISSIONS.administrator)).toEqual(["approvals.decide"]);
    for (const role of ROLES) expect(rolesWithin(ROLE_PERMISSIONS[role])).toContain(role);
  });
});
