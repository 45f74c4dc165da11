// Account registration and account updates (RFC 8555 §7.3) as the numbered steps a request
// passes, the way Pebble's verifyEAB and Boulder's NewRegistration read. This is where the rules
// of an alias meet an account: terms of service, external account binding (§7.3.4), and later
// approvals and client certificates plug in as steps here, so the ACME resources stay one call.
import type { AccountJwk } from "@/lib/crypto/jwk";
import type { Db } from "@/lib/db/client";
import { AcmeProblem } from "@/lib/problem";
import {
  type AccountRecord,
  deactivateAccount,
  findAccountByKey,
  registerAccount,
  updateAccount,
  validateContacts,
} from "./accounts";
import type { ResolvedAlias } from "./aliases";
import { assertNewAccountAllowed } from "./rate-limits";

export type RegistrationRequest = {
  alias: ResolvedAlias;
  /** The key that signed the request (already checked against the key policy). */
  jwk: AccountJwk;
  thumbprint: string;
  contact?: string[];
  termsOfServiceAgreed?: boolean;
  onlyReturnExisting?: boolean;
  /** The flattened JWS of §7.3.4, its shape already checked; undefined when absent. */
  externalAccountBinding?: unknown;
  ip?: string;
};

export type RegistrationResult = { account: AccountRecord; created: boolean };

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

  // 4. §7.3.4: an alias that requires external account binding refuses a request without one.
  //    No EAB key can be created yet (issue 6), so no binding can verify either.
  if (settings.requireExternalAccountBinding) {
    throw new AcmeProblem(
      "externalAccountRequired",
      req.externalAccountBinding === undefined
        ? "This alias requires an external account binding (externalAccountBinding)"
        : "The external account binding does not match a key of this alias",
      { status: req.externalAccountBinding === undefined ? 400 : 401 },
    );
  }

  // 5. §7.3: contacts are mailto: URLs (lib/ra/accounts.ts validateContacts).
  const contact = validateContacts(req.contact ?? []);

  // 6. §6.6: the alias's rate limits on new accounts per address and per IPv6 /48 (rateLimited).
  await assertNewAccountAllowed(db, { alias: req.alias, ip: req.ip, now: new Date() });

  // 7. Stored with its audit row; two concurrent registrations of one key end with one account.
  return registerAccount(db, {
    alias: req.alias,
    jwk: req.jwk,
    thumbprint: req.thumbprint,
    contact,
    termsOfServiceAgreed: req.termsOfServiceAgreed === true,
    ip: req.ip,
  });
}

export type AccountUpdateRequest = {
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

  // 3. §7.3.2: new contacts replace the old ones, checked as at registration.
  const changes: { contact?: string[]; termsOfServiceAgreed?: boolean } = {};
  if (req.contact !== undefined) changes.contact = validateContacts(req.contact);

  // 4. §7.3.3: agreeing (again) to the terms of service; withdrawing agreement is not something
  //    RFC 8555 offers, so false changes nothing.
  if (req.termsOfServiceAgreed === true) changes.termsOfServiceAgreed = true;

  return updateAccount(db, req.account, changes, req.ip);
}
