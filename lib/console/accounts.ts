// ACME accounts as the console shows them (CONSOLE.md "Accounts"): search by alias, status,
// contact and key thumbprint; each account's contacts, creation, agreed terms version, orders and
// certificates; deactivation by an administrator through lib/ra/accounts.ts (audited).
import { assertPermission, auditActorOf, type ConsoleActor } from "@/lib/auth/actor";
import { db, type Prisma } from "@/lib/db/client";
import { searchAccountIds } from "@/lib/db/sql/accounts";
import { notFoundProblem } from "@/lib/problem";
import { deactivateAccountByOperator } from "@/lib/ra/accounts";
import type { AccountListQuery } from "./schemas/accounts";
import type { Page } from "./schemas/common";

export type AccountSummary = {
  id: string;
  alias: string;
  status: "valid" | "deactivated" | "revoked";
  contact: string[];
  keyThumbprint: string;
  createdAt: string;
  termsOfServiceAgreed: boolean;
  /** The terms version the account agreed to, and the alias's newest (null: none). */
  termsOfServiceVersion: number | null;
  currentTermsOfServiceVersion: number | null;
  orderCount: number;
  certificateCount: number;
};

export type AccountDetail = AccountSummary & {
  orders: { id: string; status: string; identifiers: string[]; createdAt: string; expiresAt: string }[];
  certificates: {
    id: string;
    serialHex: string;
    names: string[];
    status: string;
    notBefore: string;
    notAfter: string;
  }[];
  approvalRequests: { id: number; kind: string; status: string; createdAt: string }[];
};

const SUMMARY_SELECT = {
  id: true,
  status: true,
  contact: true,
  keyThumbprint: true,
  createdAt: true,
  termsOfServiceAgreed: true,
  termsOfServiceVersion: true,
  alias: {
    select: {
      name: true,
      termsOfServiceVersions: { select: { version: true }, orderBy: { version: "desc" }, take: 1 },
    },
  },
  _count: { select: { orders: true, certificates: true } },
} satisfies Prisma.AccountSelect;

type SummaryRow = Prisma.AccountGetPayload<{ select: typeof SUMMARY_SELECT }>;

function toSummary(row: SummaryRow): AccountSummary {
  return {
    id: row.id,
    alias: row.alias.name,
    status: row.status,
    contact: row.contact,
    keyThumbprint: row.keyThumbprint,
    createdAt: row.createdAt.toISOString(),
    termsOfServiceAgreed: row.termsOfServiceAgreed,
    termsOfServiceVersion: row.termsOfServiceVersion,
    currentTermsOfServiceVersion: row.alias.termsOfServiceVersions[0]?.version ?? null,
    orderCount: row._count.orders,
    certificateCount: row._count.certificates,
  };
}

export async function listAccounts(
  o: { actor: ConsoleActor } & Partial<AccountListQuery>,
): Promise<Page<AccountSummary>> {
  assertPermission(o.actor, "console.read");
  const page = o.page ?? 1;
  const pageSize = o.pageSize ?? 20;
  const { ids, total } = await searchAccountIds(db(), {
    aliasName: o.alias,
    status: o.status,
    contact: o.contact,
    thumbprintPrefix: o.thumbprint,
    sort: o.sort ?? "created",
    order: o.dir ?? "desc",
    offset: (page - 1) * pageSize,
    limit: pageSize,
  });
  const rows = await db().account.findMany({ where: { id: { in: ids } }, select: SUMMARY_SELECT });
  const byId = new Map(rows.map((r) => [r.id, r]));
  const items = ids.flatMap((id) => {
    const row = byId.get(id);
    return row ? [toSummary(row)] : [];
  });
  return { items, total, page, pageSize };
}

export async function getAccount(o: { actor: ConsoleActor; id: string }): Promise<AccountDetail> {
  assertPermission(o.actor, "console.read");
  const row = await db().account.findUnique({
    where: { id: o.id },
    select: {
      ...SUMMARY_SELECT,
      orders: {
        select: { id: true, status: true, identifiers: true, createdAt: true, expiresAt: true },
        orderBy: { createdAt: "desc" },
        take: 50,
      },
      certificates: {
        select: { id: true, serialHex: true, names: true, status: true, notBefore: true, notAfter: true },
        orderBy: { createdAt: "desc" },
        take: 50,
      },
      approvalRequests: {
        select: { id: true, kind: true, status: true, createdAt: true },
        orderBy: { id: "desc" },
        take: 20,
      },
    },
  });
  if (!row) throw notFoundProblem(`Account "${o.id}"`);
  return {
    ...toSummary(row),
    orders: row.orders.map((order) => ({
      id: order.id,
      status: order.status,
      identifiers: Array.isArray(order.identifiers)
        ? (order.identifiers as { value?: unknown }[]).map((i) => String(i.value ?? ""))
        : [],
      createdAt: order.createdAt.toISOString(),
      expiresAt: order.expiresAt.toISOString(),
    })),
    certificates: row.certificates.map((c) => ({
      id: c.id,
      serialHex: c.serialHex,
      names: c.names,
      status: c.status,
      notBefore: c.notBefore.toISOString(),
      notAfter: c.notAfter.toISOString(),
    })),
    approvalRequests: row.approvalRequests.map((r) => ({
      id: r.id,
      kind: r.kind,
      status: r.status,
      createdAt: r.createdAt.toISOString(),
    })),
  };
}

/** An administrator deactivates an account (RFC 8555 §7.3.6's move, with the operator audited). */
export async function deactivateAccount(o: { actor: ConsoleActor; id: string }): Promise<AccountDetail> {
  assertPermission(o.actor, "accounts.manage");
  await deactivateAccountByOperator(db(), o.id, { actor: auditActorOf(o.actor), ip: o.actor.ip });
  return getAccount({ actor: o.actor, id: o.id });
}
