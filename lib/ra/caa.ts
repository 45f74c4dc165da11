// The alias's CAA policy (RFC 8659, RFC 8657) as the validation authority needs it: which issuer
// domain names are this CA's (the alias's CAA identities), whether the check runs, and which
// account URIs are the requesting account's.
import type { AliasSettings } from "./alias-settings";

/**
 * What lib/va/validate.ts checks CAA with, or undefined when it does not: the alias turned the
 * check off, or has no CAA identities (then no issue record could name this CA, and refusing every
 * name with a CAA record would be the only consistent answer; the console says so).
 */
export function caaCheckFor(
  settings: Pick<AliasSettings, "caaIdentities" | "caaCheck">,
  account: { id: string; aliasName: string },
): { caaIdentities: readonly string[]; isAccountUri: (uri: string) => boolean } | undefined {
  if (!settings.caaCheck || settings.caaIdentities.length === 0) return undefined;
  return { caaIdentities: settings.caaIdentities, isAccountUri: (uri) => isAccountUri(uri, account) };
}

/**
 * RFC 8657 §3: an accounturi must be the account's URL. Keyward serves one account under several
 * URLs (spec "URL Endpoints and Aliases": /acme/<alias>/acct/<id>, /acme/acct/<id>?configurationId=
 * <alias>, /acme/acct/<id> for the default alias; on the HTTP, HTTPS and client-authentication
 * ports), so any of those forms naming this account and alias matches, on any host. Account ids
 * are 128-bit random (lib/ra/ids.ts), so another CA's URL cannot name the same account by accident.
 */
export function isAccountUri(uri: string, account: { id: string; aliasName: string }): boolean {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return false;
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return false;
  const path = url.pathname.replace(/\/$/, "");
  const alias = encodeURIComponent(account.aliasName);
  if (path === `/acme/${alias}/acct/${account.id}`) return url.search === "";
  if (path === `/acme/acct/${account.id}`) {
    const configurationId = url.searchParams.get("configurationId");
    return configurationId === null || configurationId === account.aliasName;
  }
  return false;
}
