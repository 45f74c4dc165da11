// Roles and what each may do, as data (dub's rbac/permissions.ts). The same table decides on the
// server (lib/auth/guard.ts, every page, API route and CLI check) and in the browser (which
// buttons to show); only the server's answer counts. No server-only imports: components use it.

export const ROLES = ["administrator", "approver", "auditor"] as const;

/** What a username may be (the users page, the API, the CLI and sign-in check the same). */
export const USERNAME_PATTERN = /^[A-Za-z0-9._@-]{1,64}$/;
export type Role = (typeof ROLES)[number];

export const PERMISSIONS = [
  // Read the console: overview, protocol state, aliases and their settings.
  "console.read",
  // Enable or disable the ACME protocol; change the global ACME settings.
  "protocol.manage",
  // Create, edit, clone, rename and delete ACME aliases.
  "aliases.manage",
  // Create, disable and delete the external account binding keys of aliases (their secrets are
  // shown once, at creation, to the one who creates them).
  "eab.manage",
  // Decide approval requests (account registration, key change), whatever their approval profile.
  "approvals.decide",
  // Decide the approval requests whose approval profile lets administrators approve.
  "approvals.decideAsAdministrator",
  // Create, change and delete approval profiles.
  "approvalProfiles.manage",
  // Create, change and delete certificate profiles and end entity profiles (issue 12).
  "profiles.manage",
  // Deactivate ACME accounts.
  "accounts.manage",
  // Create, import, renew and cross-certify certificate authorities (issue 12).
  "authorities.manage",
  // Revoke issued certificates (RFC 5280 reason, audited; the CRL lists them at once).
  "certificates.revoke",
  // See who can sign in, with which role.
  "users.read",
  // Create users, change their role, disable them, reset their password.
  "users.manage",
  // See API tokens: names, roles, owners, dates (never a secret).
  "tokens.read",
  // Create and revoke API tokens.
  "tokens.manage",
  // Read the audit log.
  "audit.read",
] as const;
export type Permission = (typeof PERMISSIONS)[number];

export const ROLE_PERMISSIONS: Record<Role, readonly Permission[]> = {
  // Configures. Approvals are a separate duty: an administrator decides only the requests whose
  // approval profile says administrators may.
  administrator: [
    "console.read",
    "protocol.manage",
    "aliases.manage",
    "eab.manage",
    "approvalProfiles.manage",
    "profiles.manage",
    "approvals.decideAsAdministrator",
    "accounts.manage",
    "authorities.manage",
    "certificates.revoke",
    "users.read",
    "users.manage",
    "tokens.read",
    "tokens.manage",
    "audit.read",
  ],
  // Decides approval requests and changes no configuration.
  approver: ["console.read", "approvals.decide"],
  // Reads everything, changes nothing.
  auditor: ["console.read", "users.read", "tokens.read", "audit.read"],
};

export const ROLE_LABELS: Record<Role, string> = {
  administrator: "Administrator",
  approver: "Approver",
  auditor: "Auditor",
};

export const ROLE_DESCRIPTIONS: Record<Role, string> = {
  administrator:
    "Configures the protocol, aliases, EAB keys, approval profiles, certificate authorities, users and API tokens; revokes certificates",
  approver: "Decides approval requests; changes no configuration",
  auditor: "Reads everything, changes nothing",
};

export function hasPermission(role: Role, permission: Permission): boolean {
  return ROLE_PERMISSIONS[role].includes(permission);
}

/**
 * Where a role lands after signing in: an approver's work is the approvals queue (issue 10),
 * everyone else starts at the overview.
 */
export function homePathOf(role: Role | undefined): string {
  return role === "approver" ? "/approvals" : "/";
}

/** The permissions that let an actor decide some approval request. */
export const DECIDING_PERMISSIONS: readonly Permission[] = [
  "approvals.decide",
  "approvals.decideAsAdministrator",
];

/**
 * What both roles allow. Roles are not a chain (an administrator does not decide what approvers
 * decide), so "the lower of two roles" is the intersection of their permissions, which may be no
 * role at all.
 */
export function commonPermissions(a: Role, b: Role): Permission[] {
  return ROLE_PERMISSIONS[a].filter((p) => ROLE_PERMISSIONS[b].includes(p));
}

/** The permissions of `role` that `allowed` does not contain: what `role` would add. */
export function permissionsBeyond(role: Role, allowed: readonly Permission[]): Permission[] {
  return ROLE_PERMISSIONS[role].filter((p) => !allowed.includes(p));
}

/** Roles that allow nothing beyond `allowed`: the roles a token of that owner may be given. */
export function rolesWithin(allowed: readonly Permission[]): Role[] {
  return ROLES.filter((role) => permissionsBeyond(role, allowed).length === 0);
}

export function isRole(value: unknown): value is Role {
  return typeof value === "string" && (ROLES as readonly string[]).includes(value);
}
