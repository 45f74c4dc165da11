// Account registration and account updates (RFC 8555 §7.3) as the numbered steps a request
// passes, the way Pebble's verifyEAB and Boulder's NewRegistration read. This is where the rules
// of an alias meet an account: terms of service, external account binding (§7.3.4) and approval
// of the registration (spec "Approvals") plug in as steps here, so the ACME resources stay one
// call. (An alias's client certificate rule holds for every request, not only accounts:
// lib/ra/client-authentication.ts.)
import type { AccountJwk } from "@/lib/crypto/jwk";
import type { Db } from "@/lib/db/client";
import { AcmeProblem } from "@/lib/problem";
import {
  type AccountChanges,
  type AccountRecord,
  deactivateAccount,
  findAccountByKey,
  registerAccount,
  updateAccount,
  validateContacts,
} from "./accounts";
import type { ResolvedAlias } from "./aliases";
import { requireApproval } from "./approvals";
import { type EabKeyRecord, verifyExternalAccountBinding } from "./eab";
import { aliasHasEabKeys, eabKeySource } from "./eab-keys";
import { assertEabKeyInNamespace, issuancePolicyOf } from "./profiles";
import { assertNewAccountAllowed } from "./rate-limits";
import { termsAgreementOfUpdate } from "./terms";

export type RegistrationRequest = {
  alias: ResolvedAlias;
  /** The key that signed the request (already checked against the key policy). */
  jwk: AccountJwk;
  thumbprint: string;
  /** The outer JWS's alg and url, which the external account binding must match (§7.3.4). */
  alg: string;
  url: string;
  contact?: string[];
  termsOfServiceAgreed?: boolean;
  onlyReturnExisting?: boolean;
  /** The flattened JWS of §7.3.4; undefined when absent. lib/ra/eab.ts checks it from step 1. */
  externalAccountBinding?: unknown;
  ip?: string;
  now?: Date;
};

export type RegistrationResult = {
  account: AccountRecord;
  created: boolean;
  /**
   * §7.3.4: "The account object the CA returns MUST include an externalAccountBinding field with
   * the same value as the field in the request" — set only when the binding was verified and
   * the account created; a binding that was not verified "MUST NOT" be reflected.
   */
  externalAccountBinding?: unknown;
};

/** RFC 8555 §7.3 newAccount: the account of this key, or a new one if every rule allows it. */
export async function registerOrFindAccount(db: Db, req: RegistrationRequest): Promise<RegistrationResult> {
  const settings = req.alias.settings;

  // 1. §7.3.1: a key that already has an account gets that account (200, its URL); §7.3.6: a
  //    deactivated account's key is refused, here as everywhere (401).
  const existing = await findAccountByKey(db, req.alias.id, req.thumbprint);
  if (existing) {
    if (existing.status !== "valid") {
      throw AcmeProblem.unauthorized(`Account is ${existing.status}`, { status: 401 });
    }
    return { account: existing, created: false };
  }

  // 2. §7.3.1: onlyReturnExisting never creates an account.
  if (req.onlyReturnExisting) throw new AcmeProblem("accountDoesNotExist");

  // 3. §7.3: with terms of service in the directory, the client must agree to them.
  if (settings.termsOfServiceUrl && req.termsOfServiceAgreed !== true) {
    throw new AcmeProblem(
      "userActionRequired",
      `You must agree to the terms of service at ${settings.termsOfServiceUrl}`,
      {
        links: [{ url: settings.termsOfServiceUrl, rel: "terms-of-service" }],
        extra: { instance: settings.termsOfServiceUrl },
      },
    );
  }

  // 4. §7.3.4: external account binding (lib/ra/eab.ts verifies it step by step); spec "Combine
  //    ACME EAB with General Account Binding": under a certificate profile with an EAB namespace,
  //    only a key of that namespace binds an account here (lib/ra/profiles.ts).
  const eabKey = await checkExternalAccountBinding(db, req);
  if (eabKey) assertEabKeyInNamespace(await issuancePolicyOf(db, settings), eabKey);

  // 5. §7.3: contacts are mailto: URLs (lib/ra/accounts.ts validateContacts).
  let contact = validateContacts(req.contact ?? []);

  // 6. §6.6: the alias's rate limits on new accounts per address and per IPv6 /48 (rateLimited),
  //    before an approval request is made for a flood of registrations.
  await assertNewAccountAllowed(db, { alias: req.alias, ip: req.ip, now: new Date() });

  // 7. Spec "Approvals for the newAccount Resource": with a registration approval profile, the
  //    account is created only once approvers accepted a request for this key; until then every
  //    newAccount answers 500 serverInternal with the request's state and RequestID
  //    (lib/ra/approvals.ts). The account gets the contacts the approvers saw.
  let approvalRequestId: number | undefined;
  const profileName = settings.registrationApprovalProfile;
  if (profileName !== null) {
    const approved = await requireApproval(db, {
      kind: "registration",
      alias: req.alias,
      profileName,
      jwk: req.jwk,
      thumbprint: req.thumbprint,
      contact,
      ip: req.ip,
      now: req.now ?? new Date(),
    });
    approvalRequestId = approved.id;
    contact = approved.contact;
  }

  // 8. Stored with its audit row (and the approval marked applied in the same transaction); two
  //    concurrent registrations of one key end with one account, and a key that binds one
  //    account binds one, however many registrations race for it. §7.3.3: an account that
  //    agrees agrees to the terms in force, the alias's newest version.
  const termsOfServiceAgreed = req.termsOfServiceAgreed === true;
  const result = await registerAccount(db, {
    alias: req.alias,
    jwk: req.jwk,
    thumbprint: req.thumbprint,
    contact,
    termsOfServiceAgreed,
    termsOfServiceVersion: termsOfServiceAgreed ? req.alias.termsOfServiceVersion : null,
    approvalRequestId,
    eabKey: eabKey ? { id: eabKey.id, keyIdentifier: eabKey.keyIdentifier } : undefined,
    ip: req.ip,
  });
  return eabKey && result.created
    ? { ...result, externalAccountBinding: req.externalAccountBinding }
    : result;
}

/**
 * §7.3.4, the server's side: "If a CA requires that newAccount requests contain an
 * externalAccountBinding field ... If the CA receives a newAccount request without an
 * externalAccountBinding field, then it SHOULD reply with an error of type
 * externalAccountRequired." A binding that is present is verified whenever the alias has EAB keys
 * (or requires one); an alias with neither "decides" not to verify it, and then it binds nothing
 * and is not reflected. Returns the key the binding proved, or null.
 */
async function checkExternalAccountBinding(db: Db, req: RegistrationRequest): Promise<EabKeyRecord | null> {
  const required = req.alias.settings.requireExternalAccountBinding;
  if (req.externalAccountBinding === undefined) {
    if (!required) return null;
    throw new AcmeProblem(
      "externalAccountRequired",
      "This ACME alias requires an external account binding (externalAccountBinding, RFC 8555 §7.3.4): ask the CA for a key identifier and key",
    );
  }
  if (!required && !(await aliasHasEabKeys(db, req.alias.id))) return null;
  return verifyExternalAccountBinding(
    req.externalAccountBinding,
    { jwk: req.jwk, thumbprint: req.thumbprint, alg: req.alg, url: req.url },
    eabKeySource(db, req.alias.id),
    req.now ?? new Date(),
  );
}

export type AccountUpdateRequest = {
  alias: ResolvedAlias;
  account: AccountRecord;
  /** The account id the URL names. */
  accountId: string;
  contact?: string[];
  termsOfServiceAgreed?: boolean;
  status?: "valid" | "deactivated";
  ip?: string;
};

/** RFC 8555 §7.3.2 (update), §7.3.6 (deactivation); a request with none of them reads the account. */
export async function updateAccountByRequest(db: Db, req: AccountUpdateRequest): Promise<AccountRecord> {
  // 1. §7.3.2: an account is read or changed with its own key only.
  if (req.accountId !== req.account.id) {
    throw AcmeProblem.unauthorized("The request is signed by a different account");
  }

  // 2. §7.3.6: deactivation, irreversible.
  if (req.status === "deactivated") return deactivateAccount(db, req.account, req.ip);

  // 3. §7.3.3, spec "Terms of Service": an account that has not agreed to the alias's newest terms
  //    may only agree to them (spec "updateAccount request and agree to new Terms of Service",
  //    where "Agree to new Terms of Service allowed" is on) or deactivate itself (step 2: nobody
  //    needs to accept terms to leave). Agreeing records the version in force; withdrawing
  //    agreement is not something RFC 8555 offers, so false changes nothing. This resource is the
  //    one the front end's terms step leaves out (lib/ra/terms.ts), because agreeing happens here.
  const agreeing = req.termsOfServiceAgreed === true;
  const agreement = termsAgreementOfUpdate(req.alias, req.account, agreeing);
  const changes: AccountChanges = {};
  if (agreeing) changes.termsOfServiceAgreed = true;
  if (agreement) changes.termsOfServiceVersion = agreement.termsOfServiceVersion;

  // 4. §7.3.2: new contacts replace the old ones, checked as at registration.
  if (req.contact !== undefined) changes.contact = validateContacts(req.contact);

  return updateAccount(db, req.account, changes, req.ip);
}
