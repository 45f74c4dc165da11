// Outbound RFC 8555 objects. Serialisers are allowlists: nothing from a database row reaches the
// wire unless it is named here.
import type { AcmeLinks } from "@/lib/acme/wire/links";
import type { AliasSettings } from "@/lib/ra/alias-settings";

export type AccountView = {
  id: string;
  status: "valid" | "deactivated" | "revoked";
  contact: string[];
  termsOfServiceAgreed: boolean;
  createdAt: Date;
};

/** RFC 8555 §7.1.2 */
export function toAccountJson(account: AccountView, links: AcmeLinks) {
  return {
    status: account.status,
    contact: account.contact,
    termsOfServiceAgreed: account.termsOfServiceAgreed,
    orders: links.accountOrders(account.id),
    createdAt: account.createdAt.toISOString(),
  };
}

/** RFC 8555 §7.1.1 */
export function toDirectoryJson(settings: AliasSettings, links: AcmeLinks) {
  const meta: Record<string, unknown> = {};
  if (settings.termsOfServiceUrl) meta.termsOfService = settings.termsOfServiceUrl;
  if (settings.websiteUrl) meta.website = settings.websiteUrl;
  if (settings.caaIdentities.length) meta.caaIdentities = settings.caaIdentities;
  meta.externalAccountRequired = settings.requireExternalAccountBinding;
  return {
    newNonce: links.url("newNonce"),
    newAccount: links.url("newAccount"),
    newOrder: links.url("newOrder"),
    // RFC 8555 §7.4.1: present only when the server supports pre-authorization.
    ...(settings.preAuthorizationAllowed ? { newAuthz: links.url("newAuthz") } : {}),
    revokeCert: links.url("revokeCert"),
    keyChange: links.url("keyChange"),
    meta,
  };
}

type OrderView = {
  id: string;
  status: string;
  expiresAt: Date;
  identifiers: { type: string; value: string }[];
  notBefore: Date | null;
  notAfter: Date | null;
  error: unknown;
  authorizationIds: string[];
  certificateId: string | null;
};

/** RFC 8555 §7.1.3 */
export function toOrderJson(order: OrderView, links: AcmeLinks) {
  return {
    status: order.status,
    expires: order.expiresAt.toISOString(),
    identifiers: order.identifiers,
    ...(order.notBefore ? { notBefore: order.notBefore.toISOString() } : {}),
    ...(order.notAfter ? { notAfter: order.notAfter.toISOString() } : {}),
    ...(order.status === "invalid" && order.error ? { error: order.error } : {}),
    authorizations: order.authorizationIds.map((id) => links.url(`authz/${id}`)),
    finalize: links.url(`order/${order.id}/finalize`),
    ...(order.certificateId ? { certificate: links.url(`cert/${order.certificateId}`) } : {}),
  };
}

type ChallengeView = {
  id: string;
  type: string;
  status: string;
  token: string;
  validatedAt: Date | null;
  error: unknown;
};

/** RFC 8555 §7.1.5 and §8 */
export function toChallengeJson(challenge: ChallengeView, links: AcmeLinks) {
  return {
    type: challenge.type,
    url: links.url(`chall/${challenge.id}`),
    status: challenge.status,
    token: challenge.token,
    ...(challenge.validatedAt ? { validated: challenge.validatedAt.toISOString() } : {}),
    ...(challenge.error ? { error: challenge.error } : {}),
  };
}

type AuthorizationView = {
  identifierType: string;
  identifierValue: string;
  wildcard: boolean;
  status: string;
  expiresAt: Date;
  challenges: ChallengeView[];
};

/** RFC 8555 §7.1.4: a valid authorization lists only the challenge that validated it. */
export function toAuthorizationJson(authz: AuthorizationView, links: AcmeLinks) {
  const challenges =
    authz.status === "valid" ? authz.challenges.filter((c) => c.status === "valid") : authz.challenges;
  return {
    identifier: { type: authz.identifierType, value: authz.identifierValue },
    status: authz.status,
    expires: authz.expiresAt.toISOString(),
    challenges: challenges.map((c) => toChallengeJson(c, links)),
    ...(authz.wildcard ? { wildcard: true } : {}),
  };
}
