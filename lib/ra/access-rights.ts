// What a client certificate may do on an alias that requires one: the access rules of the spec
// ("ACME with Client Authentication": "Grant this set of access rules to the client certificate
// used for ACME"), named as EJBCA names them, and which of them each ACME operation needs. Pure
// (the console's form imports it in the browser); lib/ra/client-authentication.ts enforces it.
//
// Scopes: a right is granted per CA (/ca/<CA name>/) and, in EJBCA, per end entity profile
// (/endentityprofilesrules/<profile>/<right>/). An operation needs /ca/<the issuing CA>/ and no
// profile rule yet, although end entity profiles exist (lib/ra/profiles.ts): the next step is
// that an alias's profile adds its four rules to `requiredAccessRules` below (and its default CA's
// rule), which `endEntityProfileAccessRule` names; the storage (a list of rule strings) needs no change.
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
  return rule;
}

/**
 * ACME operations and the rules each needs (README "ACME with client authentication"). End
 * entities are what EJBCA creates or resets before it enrolls ("RA mode"), so enrolling needs
 * the spec's whole list; following an order needs to view; revoking needs to revoke. Account
 * operations touch no end entity: a certificate registered for the alias is enough.
 */
export const ACME_OPERATIONS = {
  discover: { label: "reading the directory", rules: [] as FunctionAccessRule[], ca: false },
  account: { label: "managing ACME accounts", rules: [] as FunctionAccessRule[], ca: false },
  view: { label: "viewing orders, authorizations and certificates", rules: [VIEW_END_ENTITY], ca: true },
  enroll: {
    label: "enrolling certificates",
    rules: [CREATE_CERTIFICATE, CREATE_END_ENTITY, EDIT_END_ENTITY, VIEW_END_ENTITY],
    ca: true,
  },
  revoke: { label: "revoking certificates", rules: [REVOKE_END_ENTITY], ca: true },
} as const satisfies Record<string, { label: string; rules: FunctionAccessRule[]; ca: boolean }>;

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

/** The rules an operation needs on an alias whose certificates come from `caName`. */
export function requiredAccessRules(operation: AcmeOperation, caName: string): string[] {
  const spec = ACME_OPERATIONS[operation];
  return [...spec.rules, ...(spec.ca ? [caAccessRule(caName)] : [])];
}
