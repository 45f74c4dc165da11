// The path vocabulary of ACME URLs below an alias root (/acme/<alias>/…): every resource's
// pattern. A shared leaf, so that the route table (lib/acme/http/routes.ts, one row per entry)
// and the alias-name rule (lib/ra/aliases.ts: an alias may not be called like a resource) read
// one list and cannot drift.
export const ACME_RESOURCE_PATTERNS = {
  directory: "directory",
  newNonce: "newNonce",
  newAccount: "newAccount",
  account: "acct/:id",
  accountOrders: "acct/:id/orders",
  keyChange: "keyChange",
  newOrder: "newOrder",
  newAuthz: "newAuthz",
  order: "order/:id",
  finalize: "order/:id/finalize",
  authorization: "authz/:id",
  challenge: "chall/:id",
  certificate: "cert/:id",
  // RFC 8555 §7.4.2: an alternate chain of the same certificate (1, 2, …), linked rel="alternate".
  certificateChain: "cert/:id/:chain",
  revokeCert: "revokeCert",
} as const;
export type AcmeResource = keyof typeof ACME_RESOURCE_PATTERNS;

// Kept free for a resource Keyward will serve: renewalInfo (RFC 9773, ACME Renewal Information).
const RESERVED_FOR_LATER = ["renewalInfo"];

/** Every literal word of the patterns: what may follow /acme/ as a resource, not an alias. */
export const ACME_PATH_WORDS: ReadonlySet<string> = new Set([
  ...Object.values(ACME_RESOURCE_PATTERNS).flatMap((p) => p.split("/").filter((w) => !w.startsWith(":"))),
  ...RESERVED_FOR_LATER,
]);
