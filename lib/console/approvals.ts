// The approvals queue (CONSOLE.md "Approvals"): open requests first, each with alias, kind, key
// thumbprint, contacts, client address, age, expiry and the approvals so far; the history of
// decided and expired requests with who decided. Decisions go to lib/ra/approvals.ts, which holds
// the rules (who may decide, once per person, no self-approval) and audits each decision.
import { actorCanAny, assertPermission, auditActorOf, type ConsoleActor } from "@/lib/auth/actor";
import { DECIDING_PERMISSIONS } from "@/lib/auth/permissions";
import { db, type Prisma } from "@/lib/db/client";
import { startsWithText } from "@/lib/db/text-filters";
import { AcmeProblem, notFoundProblem, zodProblem } from "@/lib/problem";
import {
  type ApprovalKind,
  type ApprovalStatus,
  type ApprovalVerdict,
  approvalStatusAt,
  approvalsSoFar,
  type Decider,
  decideApprovalRequest,
  decisionRefusal,
} from "@/lib/ra/approvals";
import { type ApprovalListQuery, approvalDecisionBodySchema } from "./schemas/approvals";
import type { Page } from "./schemas/common";

export type ApprovalDecisionView = {
  username: string;
  verdict: ApprovalVerdict;
  comment: string;
  at: string;
};

export type ApprovalRequestView = {
  id: number;
  alias: string;
  kind: ApprovalKind;
  /** The state now: a pending request past its expiry shows as expired. */
  status: ApprovalStatus;
  /** Registration: the key to register. Key change: the new key. */
  keyThumbprint: string;
  /** Key change: the key it replaces. */
  oldKeyThumbprint: string | null;
  /** Key change: the account; registration: the account once created. */
  accountId: string | null;
  contact: string[];
  clientIp: string | null;
  profileName: string;
  approvalsRequired: number;
  approvals: number;
  decisions: ApprovalDecisionView[];
  createdAt: string;
  expiresAt: string;
  decidedAt: string | null;
  appliedAt: string | null;
  /** Whether the actor asking may decide it now; if not (and it is open), why. */
  canDecide: boolean;
  cannotDecideReason: string | null;
};

const REQUEST_SELECT = {
  id: true,
  kind: true,
  status: true,
  keyThumbprint: true,
  oldKeyThumbprint: true,
  accountId: true,
  contact: true,
  clientIp: true,
  profileName: true,
  approvalsRequired: true,
  administratorsMayApprove: true,
  selfApprovalAllowed: true,
  createdAt: true,
  expiresAt: true,
  decidedAt: true,
  appliedAt: true,
  alias: { select: { name: true } },
  decisions: {
    select: {
      userId: true,
      verdict: true,
      comment: true,
      createdAt: true,
      user: { select: { username: true } },
    },
    orderBy: { createdAt: "asc" },
  },
} satisfies Prisma.ApprovalRequestSelect;

type RequestRow = Prisma.ApprovalRequestGetPayload<{ select: typeof REQUEST_SELECT }>;

/** Who decides, as lib/ra/approvals.ts sees a person; null for an actor that is no person. */
function deciderOf(actor: ConsoleActor): Decider | null {
  if (!actor.userId) return null;
  return {
    userId: actor.userId,
    // A token decides for its owner; the owner's name is what contacts could name.
    username: actor.owner?.username ?? actor.name,
    asApprover: actor.permissions.includes("approvals.decide"),
    asAdministrator: actor.permissions.includes("approvals.decideAsAdministrator"),
  };
}

function toView(row: RequestRow, actor: ConsoleActor, now: Date): ApprovalRequestView {
  const status = approvalStatusAt(row, now);
  const decider = deciderOf(actor);
  const refusal =
    status !== "pending"
      ? null
      : decider
        ? decisionRefusal(row, row.decisions, decider, now)
        : AcmeProblem.unauthorized("Only a person decides approval requests");
  return {
    id: row.id,
    alias: row.alias.name,
    kind: row.kind,
    status,
    keyThumbprint: row.keyThumbprint,
    oldKeyThumbprint: row.oldKeyThumbprint,
    accountId: row.accountId,
    contact: row.contact,
    clientIp: row.clientIp,
    profileName: row.profileName,
    approvalsRequired: row.approvalsRequired,
    approvals: approvalsSoFar(row.decisions),
    decisions: row.decisions.map((d) => ({
      username: d.user.username,
      verdict: d.verdict,
      comment: d.comment,
      at: d.createdAt.toISOString(),
    })),
    createdAt: row.createdAt.toISOString(),
    expiresAt: row.expiresAt.toISOString(),
    decidedAt: row.decidedAt?.toISOString() ?? null,
    appliedAt: row.appliedAt?.toISOString() ?? null,
    canDecide: status === "pending" && refusal === null,
    cannotDecideReason: status === "pending" && refusal ? refusal.detail : null,
  };
}

/** Open requests: pending and not yet past their expiry. */
function openWhere(now: Date): Prisma.ApprovalRequestWhereInput {
  return { status: "pending", expiresAt: { gt: now } };
}

/** Decided and expired requests, whether or not a client has asked since it expired. */
function historyWhere(now: Date): Prisma.ApprovalRequestWhereInput {
  return {
    OR: [
      { status: { in: ["approved", "rejected", "expired"] } },
      { status: "pending", expiresAt: { lte: now } },
    ],
  };
}

export async function listApprovals(
  o: { actor: ConsoleActor; now?: Date } & Partial<ApprovalListQuery>,
): Promise<Page<ApprovalRequestView>> {
  assertPermission(o.actor, "console.read");
  const now = o.now ?? new Date();
  const page = o.page ?? 1;
  const pageSize = o.pageSize ?? 20;
  const view = o.view ?? "pending";
  const where: Prisma.ApprovalRequestWhereInput = {
    AND: [
      view === "pending" ? openWhere(now) : historyWhere(now),
      o.alias ? { alias: { name: o.alias } } : {},
      o.kind ? { kind: o.kind } : {},
      o.q
        ? {
            OR: [
              { keyThumbprint: startsWithText(o.q) },
              { accountId: startsWithText(o.q) },
              { contact: { has: o.q } },
              { contact: { has: `mailto:${o.q}` } },
            ],
          }
        : {},
    ],
  };
  const dir = o.dir ?? "desc";
  const historyOrder: Prisma.ApprovalRequestOrderByWithRelationInput[] =
    o.sort === "decided" ? [{ decidedAt: { sort: dir, nulls: "last" } }, { id: "desc" }] : [{ id: dir }];
  const [rows, total] = await Promise.all([
    db().approvalRequest.findMany({
      where,
      select: REQUEST_SELECT,
      // The queue oldest first (those expire first); the history as asked, newest first by default.
      orderBy: view === "pending" ? [{ createdAt: "asc" }, { id: "asc" }] : historyOrder,
      skip: (page - 1) * pageSize,
      take: pageSize,
    }),
    db().approvalRequest.count({ where }),
  ]);
  return { items: rows.map((r) => toView(r, o.actor, now)), total, page, pageSize };
}

export async function getApproval(o: {
  actor: ConsoleActor;
  id: number;
  now?: Date;
}): Promise<ApprovalRequestView> {
  assertPermission(o.actor, "console.read");
  const row = await db().approvalRequest.findUnique({ where: { id: o.id }, select: REQUEST_SELECT });
  if (!row) throw notFoundProblem(`Approval request ${o.id}`);
  return toView(row, o.actor, o.now ?? new Date());
}

/** The overview's "pending approvals": open requests. */
export async function countPendingApprovals(now: Date): Promise<number> {
  return db().approvalRequest.count({ where: openWhere(now) });
}

/** An approver's (or, where the profile allows, an administrator's) decision, audited. */
export async function decideApproval(o: {
  actor: ConsoleActor;
  id: number;
  input: unknown;
  now?: Date;
}): Promise<ApprovalRequestView> {
  if (!actorCanAny(o.actor, DECIDING_PERMISSIONS)) assertPermission(o.actor, "approvals.decide");
  const parsed = approvalDecisionBodySchema.safeParse(o.input);
  if (!parsed.success) throw zodProblem(parsed.error);
  const decider = deciderOf(o.actor);
  if (!decider) {
    throw AcmeProblem.unauthorized(
      "A decision is a person's: decide as a signed-in user, with a user's API token, or name the user (--user)",
    );
  }
  const now = o.now ?? new Date();
  await decideApprovalRequest(db(), {
    id: o.id,
    decider,
    verdict: parsed.data.verdict,
    comment: parsed.data.comment,
    by: { actor: auditActorOf(o.actor), ip: o.actor.ip },
    now,
  });
  return getApproval({ actor: o.actor, id: o.id, now });
}
