// ACME orders as the console shows them (CONSOLE.md "Orders"): search by identifier, account,
// alias and status; one order with its authorizations, each challenge's outcome, its error and
// the validation records (what the VA asked, where it connected, what it saw).
import { assertPermission, type ConsoleActor } from "@/lib/auth/actor";
import { db } from "@/lib/db/client";
import { findOrderWithAuthorizations, type OrderRow, searchOrders } from "@/lib/db/sql/order-search";
import { notFoundProblem } from "@/lib/problem";
import {
  type AuthorizationStatus,
  deriveOrderStatus,
  effectiveAuthorizationStatus,
  type OrderStatus,
} from "@/lib/ra/order-status";
import type { Page } from "./schemas/common";
import type { OrderListQuery } from "./schemas/orders";

/** A problem document as stored (RFC 7807 / RFC 8555 §6.7), allowlisted. */
export type StoredProblem = {
  type: string;
  detail: string;
  subproblems?: { type: string; detail: string; identifier?: { type: string; value: string } }[];
};

export type OrderSummary = {
  id: string;
  /** As stored; `effectiveStatus` is what a client fetching the order sees now (§7.1.6). */
  status: OrderStatus;
  identifiers: { type: string; value: string }[];
  accountId: string;
  alias: string;
  createdAt: string;
  expiresAt: string;
  error: StoredProblem | null;
  certificateId: string | null;
};

export type ChallengeView = {
  id: string;
  type: string;
  status: string;
  validatedAt: string | null;
  updatedAt: string;
  error: StoredProblem | null;
  /** lib/va's ValidationRecord objects, as stored (plain JSON). */
  validationRecords: Record<string, unknown>[];
};

export type AuthorizationView = {
  id: string;
  identifier: { type: string; value: string };
  wildcard: boolean;
  status: AuthorizationStatus;
  expiresAt: string;
  challenges: ChallengeView[];
};

export type OrderDetail = OrderSummary & {
  effectiveStatus: OrderStatus;
  notBefore: string | null;
  notAfter: string | null;
  certificate: { id: string; serialHex: string; status: string } | null;
  authorizations: AuthorizationView[];
};

function identifiersOf(stored: unknown): { type: string; value: string }[] {
  if (!Array.isArray(stored)) return [];
  return stored.map((i: { type?: unknown; value?: unknown }) => ({
    type: String(i?.type ?? ""),
    value: String(i?.value ?? ""),
  }));
}

function problemOf(stored: unknown): StoredProblem | null {
  if (!stored || typeof stored !== "object") return null;
  const p = stored as Record<string, unknown>;
  const subproblems = Array.isArray(p.subproblems)
    ? p.subproblems.map((s: Record<string, unknown>) => ({
        type: String(s.type ?? ""),
        detail: String(s.detail ?? ""),
        ...(s.identifier && typeof s.identifier === "object"
          ? { identifier: identifiersOf([s.identifier])[0] as { type: string; value: string } }
          : {}),
      }))
    : undefined;
  return {
    type: String(p.type ?? ""),
    detail: String(p.detail ?? ""),
    ...(subproblems?.length ? { subproblems } : {}),
  };
}

function toSummary(row: OrderRow): OrderSummary {
  return {
    id: row.id,
    status: row.status as OrderStatus,
    identifiers: identifiersOf(row.identifiers),
    accountId: row.accountId,
    alias: row.aliasName,
    createdAt: row.createdAt.toISOString(),
    expiresAt: row.expiresAt.toISOString(),
    error: problemOf(row.error),
    certificateId: row.certificateId,
  };
}

export async function listOrders(
  o: { actor: ConsoleActor } & Partial<OrderListQuery>,
): Promise<Page<OrderSummary>> {
  assertPermission(o.actor, "console.read");
  const page = o.page ?? 1;
  const pageSize = o.pageSize ?? 20;
  const { rows, total } = await searchOrders(db(), {
    identifier: o.identifier,
    accountId: o.account,
    aliasName: o.alias,
    status: o.status,
    sort: o.sort ?? "created",
    order: o.dir ?? "desc",
    offset: (page - 1) * pageSize,
    limit: pageSize,
  });
  return { items: rows.map(toSummary), total, page, pageSize };
}

export async function getOrder(o: { actor: ConsoleActor; id: string; now?: Date }): Promise<OrderDetail> {
  assertPermission(o.actor, "console.read");
  const row = await findOrderWithAuthorizations(db(), o.id);
  if (!row) throw notFoundProblem(`Order "${o.id}"`);
  const now = o.now ?? new Date();
  const authorizations = row.authorizations.map(({ authorization: a }) => a);
  return {
    ...toSummary({
      ...row,
      status: row.status,
      accountId: row.account.id,
      aliasName: row.account.alias.name,
      certificateId: row.certificate?.id ?? null,
    }),
    effectiveStatus: deriveOrderStatus({ stored: row.status, expiresAt: row.expiresAt, authorizations, now }),
    notBefore: row.notBefore?.toISOString() ?? null,
    notAfter: row.notAfter?.toISOString() ?? null,
    certificate: row.certificate,
    authorizations: authorizations
      .map((a) => ({
        id: a.id,
        identifier: {
          type: a.identifierType,
          value: a.wildcard ? `*.${a.identifierValue}` : a.identifierValue,
        },
        wildcard: a.wildcard,
        status: effectiveAuthorizationStatus(a, now),
        expiresAt: a.expiresAt.toISOString(),
        challenges: a.challenges.map((c) => ({
          id: c.id,
          type: c.type,
          status: c.status,
          validatedAt: c.validatedAt?.toISOString() ?? null,
          updatedAt: c.updatedAt.toISOString(),
          error: problemOf(c.error),
          validationRecords: Array.isArray(c.validationRecord)
            ? (c.validationRecord as Record<string, unknown>[])
            : [],
        })),
      }))
      .sort((x, y) => x.identifier.value.localeCompare(y.identifier.value)),
  };
}
