// ACME accounts (RFC 8555 §7.3): registration, contacts, terms of service, deactivation and
// key change. Every change is audited in the same transaction. Status moves are conditional
// updates, so a deactivated account can never be updated back by a racing request.

import { type AuditActor, recordAudit } from "@/lib/audit/record";
import type { AccountJwk } from "@/lib/crypto/jwk";
import { announceChange, ChangeCache } from "@/lib/db/changes";
import type { Db } from "@/lib/db/client";
import { isUniqueViolation } from "@/lib/db/errors";
import {
  ACCOUNT_SELECT,
  type AccountRecord,
  findAccountById,
  findAccountByKey,
  toAccountRecord,
} from "@/lib/db/sql/accounts";
import { AcmeProblem, conflictProblem, notFoundProblem } from "@/lib/problem";
import type { ResolvedAlias } from "./aliases";
import { markApprovalApplied, requireApproval } from "./approvals";
import { usableEabKeyWhere } from "./eab-keys";
import { isResourceId, randomId } from "./ids";
import { moveWithAudit } from "./moves";
import { clientAddressOf } from "./rate-limits";

export { type AccountRecord, findAccountById, findAccountByKey };

/**
 * Accounts as the ACME front end reads them for each request signed with a kid, kept while change
 * notifications flow (lib/db/changes.ts): an update of the row in any process drops it, and this
 * process's own changes below drop it at once. Unknown ids are not kept.
 */
const accountsById = new ChangeCache<string, AccountRecord | null>({
  size: 10_000,
  maxAgeMs: 60_000,
  keysOf: (change) => (change.startsWith("account:") ? [change.slice("account:".length)] : null),
  keep: (account) => account !== null,
});

export function findAccountForRequest(db: Db, id: string): Promise<AccountRecord | null> {
  return accountsById.get(id, () => findAccountById(db, id));
}

/** Drops the account from this process's caches once `change` settled: the next request reads it anew. */
async function forgetAfter<T>(accountId: string, change: Promise<T>): Promise<T> {
  try {
    return await change;
  } finally {
    announceChange(`account:${accountId}`);
  }
}

// RFC 5321 §4.5.3.1 limits; the local part and domain syntax follow RFC 5322 "dot-atom".
const MAILTO_ADDRESS =
  /^[A-Za-z0-9.!#$%&'*+/=^_`{|}~-]{1,64}@(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;

/**
 * RFC 8555 §7.3: contacts are URLs; Keyward supports "mailto:" only (unsupportedContact
 * otherwise), with one plain address each (invalidContact for hfields, several addresses or
 * bad syntax, as Boulder does).
 */
export function validateContacts(contacts: string[]): string[] {
  return contacts.map((contact) => {
    const colon = contact.indexOf(":");
    const scheme = colon > 0 ? contact.slice(0, colon).toLowerCase() : "";
    if (scheme !== "mailto") {
      throw new AcmeProblem(
        "unsupportedContact",
        `Contact "${contact}" is not supported: only mailto: contacts are`,
      );
    }
    const address = contact.slice(colon + 1);
    if (address.includes("?")) {
      throw new AcmeProblem("invalidContact", `Contact "${contact}" must not contain hfields (RFC 6068 §2)`);
    }
    if (address.includes(",")) {
      throw new AcmeProblem("invalidContact", `Contact "${contact}" must name one address`);
    }
    let decoded: string;
    try {
      decoded = decodeURIComponent(address);
    } catch {
      throw new AcmeProblem("invalidContact", `Contact "${contact}" is not a valid mailto URL`);
    }
    if (!MAILTO_ADDRESS.test(decoded)) {
      throw new AcmeProblem("invalidContact", `Contact "${contact}" is not a valid email address`);
    }
    return toMailtoUrl(decoded);
  });
}

/**
 * RFC 6068 §2: an address as a mailto URL, in one spelling. Characters an address may hold but a
 * URL may not carry as they are ("%", "#", "/", "?", "&"…) are percent-encoded, so the account
 * object lists URLs (RFC 8555 §7.1.2), not text that parses as a fragment or a bad escape.
 */
function toMailtoUrl(address: string): string {
  const encoded = address.replace(
    /[^A-Za-z0-9\-._~!$'()*+;:@]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, "0")}`,
  );
  return `mailto:${encoded}`;
}

export type NewAccountRequest = {
  alias: ResolvedAlias;
  jwk: AccountJwk;
  thumbprint: string;
  contact: string[];
  termsOfServiceAgreed: boolean;
  /** The external account binding key the request proved (lib/ra/eab.ts), if any. */
  eabKey?: { id: string; keyIdentifier: string };
  /** The terms version agreed to (lib/ra/terms.ts); null: none. */
  termsOfServiceVersion: number | null;
  /** The approved registration request this account fulfils (lib/ra/approvals.ts), if any. */
  approvalRequestId?: number;
  ip?: string;
};

/** The binding lost a race: its key was used up (or disabled, or expired) meanwhile. */
class EabKeyTakenError extends Error {}

/**
 * Registers an account, or returns the one this key already has (RFC 8555 §7.3.1). Two
 * concurrent registrations of one key end with one account: the loser reads the winner's row.
 * With an external account binding key, the key is bound in the same transaction by a
 * conditional update (RFC 8555 §7.3.4): of two registrations racing for a key that binds one
 * account, exactly one gets it; the other is refused, or, if it was the same account key, gets
 * the account the winner created. An approved registration request is marked applied in the same
 * transaction.
 */
export async function registerAccount(
  db: Db,
  req: NewAccountRequest,
): Promise<{ account: AccountRecord; created: boolean }> {
  const id = randomId();
  const eabKey = req.eabKey;
  const client = clientAddressOf(req.ip);
  try {
    const row = await db.$transaction(async (tx) => {
      if (eabKey) {
        const { count } = await tx.eabKey.updateMany({
          where: { id: eabKey.id, ...usableEabKeyWhere(new Date()) },
          data: { boundAccounts: { increment: 1 } },
        });
        if (count !== 1) throw new EabKeyTakenError();
      }
      const created = await tx.account.create({
        data: {
          id,
          aliasId: req.alias.id,
          jwk: req.jwk,
          keyThumbprint: req.thumbprint,
          contact: req.contact,
          termsOfServiceAgreed: req.termsOfServiceAgreed,
          eabKeyId: eabKey?.id ?? null,
          eabKeyIdentifier: eabKey?.keyIdentifier ?? null,
          termsOfServiceVersion: req.termsOfServiceVersion,
          // What the new-accounts rate limits count (lib/ra/rate-limits.ts).
          createdFromIp: client?.address ?? null,
          createdFromIpv6Range: client?.ipv6Range ?? null,
        },
        select: ACCOUNT_SELECT,
      });
      await recordAudit(tx, {
        actor: `account:${id}`,
        action: "account.created",
        targetType: "account",
        targetId: id,
        details: {
          alias: req.alias.name,
          keyThumbprint: req.thumbprint,
          contact: req.contact,
          ...(eabKey ? { eabKey: { id: eabKey.id, keyIdentifier: eabKey.keyIdentifier } } : {}),
          ...(req.approvalRequestId === undefined ? {} : { approvalRequest: req.approvalRequestId }),
        },
        ip: req.ip,
      });
      if (
        req.approvalRequestId !== undefined &&
        !(await markApprovalApplied(tx, req.approvalRequestId, {
          accountId: id,
          now: new Date(),
          releaseSlot: false,
        }))
      ) {
        // Applied meanwhile by a concurrent registration of this key, whose account exists.
        throw AcmeProblem.serverInternal();
      }
      return created;
    });
    return { account: toAccountRecord(row), created: true };
  } catch (err) {
    const lostKey = err instanceof EabKeyTakenError;
    if (!lostKey && !isUniqueViolation(err)) throw err;
    const existing = await findAccountByKey(db, req.alias.id, req.thumbprint);
    if (existing) return { account: existing, created: false };
    if (lostKey) {
      throw AcmeProblem.unauthorized(
        `externalAccountBinding: the key "${eabKey?.keyIdentifier}" was used up, disabled or expired by a concurrent request`,
      );
    }
    throw err;
  }
}

export type AccountChanges = {
  contact?: string[];
  termsOfServiceAgreed?: boolean;
  termsOfServiceVersion?: number;
};

/** RFC 8555 §7.3.2. Only a valid account changes; the guard is in the WHERE clause. */
export async function updateAccount(
  db: Db,
  account: AccountRecord,
  changes: AccountChanges,
  ip?: string,
): Promise<AccountRecord> {
  const contactChanged =
    changes.contact !== undefined && changes.contact.join("\n") !== account.contact.join("\n");
  const tosChanged =
    (changes.termsOfServiceAgreed !== undefined &&
      changes.termsOfServiceAgreed !== account.termsOfServiceAgreed) ||
    (changes.termsOfServiceVersion !== undefined &&
      changes.termsOfServiceVersion !== account.termsOfServiceVersion);
  // Clients re-send what they registered with (acme-client does after every newAccount 200):
  // nothing to write and nothing to audit.
  if (!contactChanged && !tosChanged) return account;
  return forgetAfter(
    account.id,
    moveWithAudit(
      db,
      (tx) => tx.account.updateMany({ where: { id: account.id, status: "valid" }, data: changes }),
      {
        lost: () => AcmeProblem.unauthorized("Account is not valid; it cannot be updated"),
        audit: {
          actor: `account:${account.id}`,
          action: "account.updated",
          targetType: "account",
          targetId: account.id,
          details: {
            before: {
              contact: account.contact,
              termsOfServiceAgreed: account.termsOfServiceAgreed,
              termsOfServiceVersion: account.termsOfServiceVersion,
            },
            after: { ...changes },
          },
          ip,
        },
        read: async (tx) =>
          toAccountRecord(
            await tx.account.findUniqueOrThrow({ where: { id: account.id }, select: ACCOUNT_SELECT }),
          ),
      },
    ),
  );
}

/** RFC 8555 §7.3.6: irreversible; later requests signed by the account's key are refused. */
export async function deactivateAccount(db: Db, account: AccountRecord, ip?: string): Promise<AccountRecord> {
  await forgetAfter(
    account.id,
    moveWithAudit(
      db,
      (tx) =>
        tx.account.updateMany({
          where: { id: account.id, status: "valid" },
          data: { status: "deactivated" },
        }),
      {
        lost: () => AcmeProblem.unauthorized("Account is not valid; it cannot be deactivated"),
        audit: {
          actor: `account:${account.id}`,
          action: "account.deactivated",
          targetType: "account",
          targetId: account.id,
          ip,
        },
      },
    ),
  );
  return { ...account, status: "deactivated" };
}

/**
 * An operator deactivates an account (the console's Accounts page): the same irreversible move as
 * RFC 8555 §7.3.6, audited with the operator as actor. A deactivated or revoked account is a
 * conflict, not a second deactivation.
 */
export async function deactivateAccountByOperator(
  db: Db,
  accountId: string,
  by: { actor: AuditActor; ip?: string },
): Promise<void> {
  const account = await findAccountById(db, accountId);
  if (!account) throw notFoundProblem(`Account "${accountId}"`);
  await forgetAfter(
    accountId,
    moveWithAudit(
      db,
      (tx) =>
        tx.account.updateMany({ where: { id: accountId, status: "valid" }, data: { status: "deactivated" } }),
      {
        lost: () => conflictProblem(`Account "${accountId}" is not valid any more; it cannot be deactivated`),
        audit: {
          actor: by.actor,
          action: "account.deactivated",
          targetType: "account",
          targetId: accountId,
          details: { before: { status: account.status }, after: { status: "deactivated" }, by: "operator" },
          ip: by.ip,
        },
      },
    ),
  );
}

export type KeyChangeRequest = {
  alias: ResolvedAlias;
  account: AccountRecord;
  next: { jwk: AccountJwk; thumbprint: string };
  accountUrlOf: (id: string) => string;
  ip?: string;
  now?: Date;
};

/**
 * RFC 8555 §7.3.5: replaces the account key, once approvers accepted it where the alias requires
 * approval of key changes. The conditional update on the old thumbprint makes two concurrent key
 * changes of one account end with exactly one winner; the unique (alias, thumbprint) index makes a
 * key that another account registered meanwhile a conflict.
 */
export async function changeAccountKey(db: Db, req: KeyChangeRequest): Promise<AccountRecord> {
  const { account, next } = req;
  const conflict = async () => {
    const holder = await findAccountByKey(db, account.aliasId, next.thumbprint);
    return AcmeProblem.malformed("The new key is already in use by an account", {
      status: 409,
      location: holder ? req.accountUrlOf(holder.id) : undefined,
    });
  };

  // 1. §7.3.5: "If there is an existing account registered with the new key", 409 with its URL;
  //    checked before approval, so no approver is asked to accept what cannot happen.
  if (await findAccountByKey(db, account.aliasId, next.thumbprint)) throw await conflict();

  // 2. Spec "Approvals for the keyChange Resource": with a key-change approval profile, the key
  //    changes only once approvers accepted a request for this account, old key and new key; until
  //    then every keyChange answers 500 serverInternal with the request's state and RequestID, and
  //    an expired request is renewed (lib/ra/approvals.ts).
  const profileName = req.alias.settings.keyChangeApprovalProfile;
  const approval =
    profileName === null
      ? null
      : await requireApproval(db, {
          kind: "keyChange",
          alias: req.alias,
          profileName,
          jwk: next.jwk,
          thumbprint: next.thumbprint,
          account: { id: account.id, keyThumbprint: account.keyThumbprint },
          contact: account.contact,
          ip: req.ip,
          now: req.now ?? new Date(),
        });

  // 3. The key changes with its audit row, and an approval is marked applied in the same
  //    transaction: a change approved once takes effect once.
  try {
    await forgetAfter(
      account.id,
      moveWithAudit(
        db,
        async (tx) => {
          if (
            approval &&
            !(await markApprovalApplied(tx, approval.id, {
              accountId: account.id,
              now: req.now ?? new Date(),
              releaseSlot: true,
            }))
          ) {
            return { count: 0 };
          }
          return tx.account.updateMany({
            where: { id: account.id, status: "valid", keyThumbprint: account.keyThumbprint },
            data: { jwk: next.jwk, keyThumbprint: next.thumbprint },
          });
        },
        {
          lost: () =>
            AcmeProblem.unauthorized("The account key changed meanwhile, or the account is not valid"),
          audit: {
            actor: `account:${account.id}`,
            action: "account.keyChanged",
            targetType: "account",
            targetId: account.id,
            details: {
              before: { keyThumbprint: account.keyThumbprint },
              after: { keyThumbprint: next.thumbprint },
              ...(approval ? { approvalRequest: approval.id } : {}),
            },
            ip: req.ip,
          },
        },
      ),
    );
    return { ...account, jwk: next.jwk, keyThumbprint: next.thumbprint };
  } catch (err) {
    if (isUniqueViolation(err)) throw await conflict();
    throw err;
  }
}

export const ORDERS_PAGE_SIZE = 100;

/** RFC 8555 §7.1.2.1: the account's orders, newest first, paged with an opaque cursor. */
export async function listAccountOrderIds(db: Db, accountId: string, cursor: string | null) {
  // The cursor is an order id this server gave in a Link rel="next"; anything else (a NUL byte
  // PostgreSQL cannot store, a path) is refused before it reaches a query.
  if (cursor !== null && !isResourceId(cursor)) {
    throw AcmeProblem.malformed('cursor is not a cursor of this list (take it from the Link rel="next" URL)');
  }
  const rows = await db.order.findMany({
    where: { accountId },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    select: { id: true },
    take: ORDERS_PAGE_SIZE + 1,
    ...(cursor ? { cursor: { id: cursor }, skip: 1 } : {}),
  });
  const page = rows.slice(0, ORDERS_PAGE_SIZE).map((r) => r.id);
  return { ids: page, nextCursor: rows.length > ORDERS_PAGE_SIZE ? (page.at(-1) ?? null) : null };
}
