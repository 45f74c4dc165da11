// ACME accounts (RFC 8555 §7.3): registration, contacts, terms of service, deactivation and
// key change. Every change is audited in the same transaction. Status moves are conditional
// updates, so a deactivated account can never be updated back by a racing request.

import { recordAudit } from "@/lib/audit/record";
import type { AccountJwk } from "@/lib/crypto/jwk";
import type { Db } from "@/lib/db/client";
import { isUniqueViolation } from "@/lib/db/errors";
import {
  ACCOUNT_SELECT,
  type AccountRecord,
  findAccountById,
  findAccountByKey,
  toAccountRecord,
} from "@/lib/db/sql/accounts";
import { AcmeProblem } from "@/lib/problem";
import type { ResolvedAlias } from "./aliases";
import { randomId } from "./ids";
import { moveWithAudit } from "./moves";
import { clientAddressOf } from "./rate-limits";

export { type AccountRecord, findAccountById, findAccountByKey };

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
    return `mailto:${decoded}`;
  });
}

export type NewAccountRequest = {
  alias: ResolvedAlias;
  jwk: AccountJwk;
  thumbprint: string;
  contact: string[];
  termsOfServiceAgreed: boolean;
  ip?: string;
};

/**
 * Registers an account, or returns the one this key already has (RFC 8555 §7.3.1). Two
 * concurrent registrations of one key end with one account: the loser reads the winner's row.
 */
export async function registerAccount(
  db: Db,
  req: NewAccountRequest,
): Promise<{ account: AccountRecord; created: boolean }> {
  const id = randomId();
  const client = clientAddressOf(req.ip);
  try {
    const row = await db.$transaction(async (tx) => {
      const created = await tx.account.create({
        data: {
          id,
          aliasId: req.alias.id,
          jwk: req.jwk,
          keyThumbprint: req.thumbprint,
          contact: req.contact,
          termsOfServiceAgreed: req.termsOfServiceAgreed,
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
        details: { alias: req.alias.name, keyThumbprint: req.thumbprint, contact: req.contact },
        ip: req.ip,
      });
      return created;
    });
    return { account: toAccountRecord(row), created: true };
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
    const existing = await findAccountByKey(db, req.alias.id, req.thumbprint);
    if (!existing) throw err;
    return { account: existing, created: false };
  }
}

export type AccountChanges = { contact?: string[]; termsOfServiceAgreed?: boolean };

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
    changes.termsOfServiceAgreed !== undefined &&
    changes.termsOfServiceAgreed !== account.termsOfServiceAgreed;
  // Clients re-send what they registered with (acme-client does after every newAccount 200):
  // nothing to write and nothing to audit.
  if (!contactChanged && !tosChanged) return account;
  return moveWithAudit(
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
          before: { contact: account.contact, termsOfServiceAgreed: account.termsOfServiceAgreed },
          after: { ...changes },
        },
        ip,
      },
      read: async (tx) =>
        toAccountRecord(
          await tx.account.findUniqueOrThrow({ where: { id: account.id }, select: ACCOUNT_SELECT }),
        ),
    },
  );
}

/** RFC 8555 §7.3.6: irreversible; later requests signed by the account's key are refused. */
export async function deactivateAccount(db: Db, account: AccountRecord, ip?: string): Promise<AccountRecord> {
  await moveWithAudit(
    db,
    (tx) =>
      tx.account.updateMany({ where: { id: account.id, status: "valid" }, data: { status: "deactivated" } }),
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
  );
  return { ...account, status: "deactivated" };
}

/**
 * RFC 8555 §7.3.5: replaces the account key. The conditional update on the old thumbprint
 * makes two concurrent key changes of one account end with exactly one winner; the unique
 * (alias, thumbprint) index makes a key that another account registered meanwhile a conflict.
 */
export async function changeAccountKey(
  db: Db,
  account: AccountRecord,
  next: { jwk: AccountJwk; thumbprint: string },
  accountUrlOf: (id: string) => string,
  ip?: string,
): Promise<AccountRecord> {
  const conflict = async () => {
    const holder = await findAccountByKey(db, account.aliasId, next.thumbprint);
    return AcmeProblem.malformed("The new key is already in use by an account", {
      status: 409,
      location: holder ? accountUrlOf(holder.id) : undefined,
    });
  };
  if (await findAccountByKey(db, account.aliasId, next.thumbprint)) throw await conflict();
  try {
    await moveWithAudit(
      db,
      (tx) =>
        tx.account.updateMany({
          where: { id: account.id, status: "valid", keyThumbprint: account.keyThumbprint },
          data: { jwk: next.jwk, keyThumbprint: next.thumbprint },
        }),
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
          },
          ip,
        },
      },
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
