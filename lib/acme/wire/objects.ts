// Outbound RFC 8555 objects. Serialisers are allowlists: nothing from a database row reaches the
// wire unless it is named here.
import type { AcmeLinks } from "@/lib/acme/http/links";
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
