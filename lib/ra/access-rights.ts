// What a client certificate may do on an alias that requires one: the access rules of the spec
// ("ACME with Client Authentication": "Grant this set of access rules to the client certificate
// used for ACME"), named as EJBCA names them, and which of them each ACME operation needs. Pure
// (the console's form imports it in the browser); lib/ra/client-authentication.ts enforces it.
//
// Scopes: a right is granted per CA (/ca/<CA name>/) and per end entity profile
// (/endentityprofilesrules/<profile>/<right>/). An operation needs /ca/<the CA that issues the
// alias's certificates>/ — its end entity profile's CA, or the default issuing CA — and, when the
// alias has an end entity profile, that profile's rule for the same end entity rights the
// operation needs (`requiredAccessRules` below).
import type { AcmeResource } from "@/lib/acme/paths";

/** The function rules, in the spec's order. */
export const FUNCTION_ACCESS_RULES = [
  { rule: "/ca_functionality/create_certificate/", label: "Create certificate" },
  { rule: "/ra_functionality/create_end_entity/", label: "Create end entity" },
  { rule: "/ra_functionality/edit_end_entity/", label: "Edit end entity" },
  { rule: "/ra_functionality/view_end_entity/", label: "View end entity" },
  { rule: "/ra_functionality/revoke_end_entity/", label: "Revoke end entity" },
] as const;

export type FunctionAccessRule = (typeof FUNCTION_ACCESS_RULES)[number]["rule"];

const [CREATE_CERTIFICATE, CREATE_END_ENTITY, EDIT_END_ENTITY, VIEW_END_ENTITY, REVOKE_END_ENTITY] =
  FUNCTION_ACCESS_RULES.map((r) => r.rule) as [
    FunctionAccessRule,
    FunctionAccessRule,
    FunctionAccessRule,
    FunctionAccessRule,
    FunctionAccessRule,
  ];

const END_ENTITY_PROFILE_RIGHTS = [
  "create_end_entity",
  "edit_end_entity",
  "view_end_entity",
  "revoke_end_entity",
] as const;
export type EndEntityProfileRight = (typeof END_ENTITY_PROFILE_RIGHTS)[number];

/** Access to a CA (spec: /ca/${Name of CA}/). */
export function caAccessRule(caName: string): string {
  return `/ca/${caName}/`;
}

/** A right on an end entity profile (spec: /endentityprofilesrules/${Name of EEP}/…/). */
export function endEntityProfileAccessRule(profile: string, right: EndEntityProfileRight): string {
  return `/endentityprofilesrules/${profile}/${right}/`;
}

/** The labels of the end entity profile rights, as the function rules of the same name read. */
const END_ENTITY_PROFILE_RIGHT_LABELS: Readonly<Record<EndEntityProfileRight, string>> = {
  create_end_entity: "Create end entity",
  edit_end_entity: "Edit end entity",
  view_end_entity: "View end entity",
  revoke_end_entity: "Revoke end entity",
};

/** The four rules of one end entity profile, in the spec's order, with their labels. */
export function endEntityProfileAccessRules(profile: string): { rule: string; label: string }[] {
  return END_ENTITY_PROFILE_RIGHTS.map((right) => ({
    rule: endEntityProfileAccessRule(profile, right),
    label: END_ENTITY_PROFILE_RIGHT_LABELS[right],
  }));
}

/** The profile and right a `/endentityprofilesrules/<profile>/<right>/` rule names, or null. */
export function endEntityProfileOfAccessRule(
  rule: string,
): { profile: string; right: EndEntityProfileRight } | null {
  const match = /^\/endentityprofilesrules\/([^/]+)\/([a-z_]+)\/$/.exec(rule);
  if (!match) return null;
  const right = match[2] as EndEntityProfileRight;
  return END_ENTITY_PROFILE_RIGHTS.includes(right) ? { profile: match[1] as string, right } : null;
}

/** The CA a `/ca/<name>/` rule names, or null. */
export function caNameOfAccessRule(rule: string): string | null {
  return /^\/ca\/([^/]+)\/$/.exec(rule)?.[1] ?? null;
}

/** A readable name for a rule (the console's list). */
export function accessRuleLabel(rule: string): string {
  const fn = FUNCTION_ACCESS_RULES.find((r) => r.rule === rule);
  if (fn) return fn.label;
  const ca = caNameOfAccessRule(rule);
  if (ca) return `CA ${ca}`;
  const profileRule = endEntityProfileOfAccessRule(rule);
  if (profileRule) {
    return `${END_ENTITY_PROFILE_RIGHT_LABELS[profileRule.right]} (end entity profile ${profileRule.profile})`;
  }
  return rule;
}

/**
 * ACME operations and the rules each needs (README "ACME with client authentication"). End
 * entities are what EJBCA creates or resets before it enrolls ("RA mode"), so enrolling needs
 * the spec's whole list; following an order needs to view; revoking needs to revoke. Account
 * operations touch no end entity: a certificate registered for the alias is enough. On an alias
 * with an end entity profile, the same end entity rights are needed on that profile too
 * (`profileRights`; spec: /endentityprofilesrules/${Name of EEP}/create_end_entity/ …).
 */
export const ACME_OPERATIONS = {
  discover: {
    label: "reading the directory",
    rules: [] as FunctionAccessRule[],
    profileRights: [] as EndEntityProfileRight[],
    ca: false,
  },
  account: {
    label: "managing ACME accounts",
    rules: [] as FunctionAccessRule[],
    profileRights: [] as EndEntityProfileRight[],
    ca: false,
  },
  view: {
    label: "viewing orders, authorizations and certificates",
    rules: [VIEW_END_ENTITY],
    profileRights: ["view_end_entity"],
    ca: true,
  },
  enroll: {
    label: "enrolling certificates",
    rules: [CREATE_CERTIFICATE, CREATE_END_ENTITY, EDIT_END_ENTITY, VIEW_END_ENTITY],
    profileRights: ["create_end_entity", "edit_end_entity", "view_end_entity"],
    ca: true,
  },
  revoke: {
    label: "revoking certificates",
    rules: [REVOKE_END_ENTITY],
    profileRights: ["revoke_end_entity"],
    ca: true,
  },
} as const satisfies Record<
  string,
  { label: string; rules: FunctionAccessRule[]; profileRights: EndEntityProfileRight[]; ca: boolean }
>;

export type AcmeOperation = keyof typeof ACME_OPERATIONS;

/** Every ACME resource as an operation (the record type keeps the map complete). */
export const OPERATION_OF_RESOURCE: Readonly<Record<AcmeResource, AcmeOperation>> = {
  directory: "discover",
  newNonce: "account",
  newAccount: "account",
  account: "account",
  keyChange: "account",
  accountOrders: "view",
  order: "view",
  authorization: "view",
  certificate: "view",
  certificateChain: "view",
  newOrder: "enroll",
  newAuthz: "enroll",
  challenge: "enroll",
  finalize: "enroll",
  revokeCert: "revoke",
};

/**
 * The rules an operation needs on an alias whose certificates come from `caName` (the CA its end
 * entity profile issues from) under `endEntityProfile` (null: the alias names none).
 */
export function requiredAccessRules(
  operation: AcmeOperation,
  caName: string,
  endEntityProfile: string | null = null,
): string[] {
  const spec = ACME_OPERATIONS[operation];
  return [
    ...spec.rules,
    ...(spec.ca ? [caAccessRule(caName)] : []),
    ...(endEntityProfile === null
      ? []
      : spec.profileRights.map((right) => endEntityProfileAccessRule(endEntityProfile, right))),
  ];
}
