// Terms of service and their versions (spec "Terms of Service", RFC 8555 §7.3.3). An alias's
// terms URL is its newest published version; each account records the version it agreed to.
//
//   Spec: "If 'Require client approval for changes of Terms of Service' is enabled and the Terms of
//   Service have changed, requesting ACME resources except the newAccount resource will fail. To
//   agree to the new ACME service Terms of Service, clients must either register a new account
//   using the newAccount resource (with new keys) or agree to the new Terms of Service using the
//   updateAccount resource (see Workflow examples). Therefore Agree to new Terms of Service allowed
//   must be enabled."
//
// Where the check runs: lib/acme/http/serve.ts calls assertAgreedToCurrentTerms as a step of every
// request signed by an account (kid), except the account resource, whose lib/ra call
// (updateAccountByRequest) checks it itself because that is where an account agrees.
import { type AuditActor, recordAudit } from "@/lib/audit/record";
import type { Prisma } from "@/lib/db/client";
import { AcmeProblem } from "@/lib/problem";
import type { AliasSettings } from "./alias-settings";

type Tx = Prisma.TransactionClient;

/** What the terms rules read of an alias: its settings and its newest published version. */
export type TermsOfAlias = { settings: AliasSettings; termsOfServiceVersion: number | null };

/** What they read of an account: the version it agreed to (null: none). */
export type TermsOfAccount = { termsOfServiceVersion: number | null };

/** Whether the alias asks `account` to agree to terms newer than those it agreed to. */
export function mustAgreeToNewTerms(alias: TermsOfAlias, account: TermsOfAccount): boolean {
  const { settings } = alias;
  // "Require client approval for Terms of Service changes" off, or no terms (any more): nothing to agree to.
  if (!settings.termsOfServiceRequireNewApproval || !settings.termsOfServiceUrl) return false;
  if (alias.termsOfServiceVersion === null) return false;
  // An account registered before any terms were published agreed to none: the first terms are new to it.
  return (account.termsOfServiceVersion ?? 0) < alias.termsOfServiceVersion;
}

/**
 * RFC 8555 §7.3.3: "the server MUST return an error response with status code 403 (Forbidden) and
 * a problem document with type "userActionRequired". This problem document MUST include a Link
 * header field with link relation "terms-of-service" and the latest terms-of-service URL. The
 * problem document should include an "instance" field, indicating a URL that the client should
 * direct a human user to visit in order for instructions on how to agree to the terms." That URL
 * is the alias's "Changes of Terms of Service URL" (spec: "URL to advise how to handle changes of
 * your terms of service"), or the terms themselves when there is none.
 */
export function newTermsProblem(alias: TermsOfAlias): AcmeProblem {
  const { settings } = alias;
  const url = settings.termsOfServiceUrl as string;
  const detail = settings.agreeToNewTermsOfServiceAllowed
    ? `The terms of service have changed: agree to the new terms at ${url} by updating your account with "termsOfServiceAgreed": true`
    : // Spec "Agree to new Terms of Service allowed": "If not allowed, clients have to request a
      // new account (including new keys)."
      `The terms of service have changed (${url}) and this server does not let an account agree to new terms: register a new account with new keys`;
  return new AcmeProblem("userActionRequired", detail, {
    links: [{ url, rel: "terms-of-service" }],
    extra: { instance: settings.termsOfServiceChangeUrl ?? url },
  });
}

/** The front end's step for every account-signed request but the account resource's. */
export function assertAgreedToCurrentTerms(alias: TermsOfAlias, account: TermsOfAccount): void {
  if (mustAgreeToNewTerms(alias, account)) throw newTermsProblem(alias);
}

/**
 * What an account update does about the terms (spec "updateAccount request and agree to new Terms
 * of Service"): the version the account now agrees to, or nothing to change; refuses an update of
 * an account that must agree first and does not, and an agreement the alias does not allow.
 */
export function termsAgreementOfUpdate(
  alias: TermsOfAlias,
  account: TermsOfAccount,
  agreeing: boolean,
): { termsOfServiceVersion: number } | null {
  const behind = mustAgreeToNewTerms(alias, account);
  if (!agreeing) {
    if (behind) throw newTermsProblem(alias);
    return null;
  }
  // Spec: "Agree to new Terms of Service allowed ... Only active if Require client approval for
  // changes of Terms of Service is enabled": without that, there is no agreement to refuse.
  if (behind && !alias.settings.agreeToNewTermsOfServiceAllowed) throw newTermsProblem(alias);
  const current = alias.termsOfServiceVersion;
  if (current === null || (account.termsOfServiceVersion ?? 0) >= current) return null;
  return { termsOfServiceVersion: current };
}

/**
 * Inside the transaction that stores an alias's settings: a changed terms URL is a new version of
 * the terms, in effect from now (the spec's "the Terms of Service have changed"), whichever way the
 * change came (the console's publish action, the alias form, the API, `alias apply`). Returns the
 * new version, or null when the terms did not change. Setting the URL back to the newest version's
 * URL (after removing it) is no new version.
 */
export async function recordTermsOfServiceChange(
  tx: Tx,
  o: {
    aliasId: string;
    aliasName: string;
    before: AliasSettings;
    after: AliasSettings;
    by: { actor: AuditActor; ip?: string };
    now?: Date;
  },
): Promise<number | null> {
  const url = o.after.termsOfServiceUrl;
  if (!url || url === o.before.termsOfServiceUrl) return null;
  const latest = await tx.termsOfServiceVersion.findFirst({
    where: { aliasId: o.aliasId },
    orderBy: { version: "desc" },
    select: { version: true, url: true },
  });
  if (latest?.url === url) return null;
  const version = (latest?.version ?? 0) + 1;
  const row = await tx.termsOfServiceVersion.create({
    data: {
      aliasId: o.aliasId,
      version,
      url,
      changeUrl: o.after.termsOfServiceChangeUrl,
      effectiveAt: o.now ?? new Date(),
      publishedBy: o.by.actor,
    },
  });
  await recordAudit(tx, {
    actor: o.by.actor,
    action: "terms.published",
    targetType: "alias",
    targetId: o.aliasId,
    details: {
      name: o.aliasName,
      version,
      url,
      changeUrl: row.changeUrl,
      before: { termsOfServiceUrl: o.before.termsOfServiceUrl, version: latest?.version ?? null },
      after: { termsOfServiceUrl: url, version },
    },
    ip: o.by.ip,
  });
  return version;
}
