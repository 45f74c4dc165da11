// Approvals of ACME account management (spec "Approvals"): on an alias that names an approval
// profile, a registration (newAccount) or a key change (keyChange) does not take effect until
// approvers have accepted it. The client is told where its request stands by repeating it:
//
//   Spec "Approvals for the newAccount Resource": "requests to this resource return an HTTP 500
//   (Internal Server Error) response including an ACME problem message of type
//   urn:ietf:params:acme:error:serverInternal indicating the state of the created approval request
//   and its request ID. For example, A request to register your ACME account has been sent for
//   approval. RequestID=123456789 after the first ACME resource request has been posted. Further
//   requests return responses in the same matter indicating the state of the approval request
//   either with state PENDING, REJECT, or EXPIRED. If the approval has been accepted, a request to
//   the newAccount resource creates the account and returns the HTTP 201 (Created) as expected. If
//   an approval has expired, it is no longer possible to register the keys for this account and you
//   must generate new keys."
//
//   Spec "Approvals for the keyChange Resource": the same answers; "If an approval request has
//   expired, it is renewed automatically if the keyChange resource is requested."
//
// A 500 for a request that is merely waiting deviates from RFC 8555 (README, deviations): it is
// what EJBCA answers, and what clients written against EJBCA expect.
//
// The rules of deciding (who may, how many approvals, self-approval) are pure functions here;
// requests and decisions are stored by the functions below them, each change with its audit row.
import { type AuditActor, recordAudit } from "@/lib/audit/record";
import type { AccountJwk } from "@/lib/crypto/jwk";
import type { Db, Prisma } from "@/lib/db/client";
import { isUniqueViolation } from "@/lib/db/errors";
import { lockApprovalRequest } from "@/lib/db/sql/approvals";
import { AcmeProblem, conflictProblem, notFoundProblem } from "@/lib/problem";

type Tx = Prisma.TransactionClient;

export type ApprovalKind = "registration" | "keyChange";
export type ApprovalStatus = "pending" | "approved" | "rejected" | "expired";
export type ApprovalVerdict = "approve" | "reject";

/** What the rules read of a request. */
export type ApprovalFacts = {
  id: number;
  kind: ApprovalKind;
  status: ApprovalStatus;
  expiresAt: Date;
  approvalsRequired: number;
  administratorsMayApprove: boolean;
  selfApprovalAllowed: boolean;
  contact: string[];
};

export type DecisionFacts = { userId: string; verdict: ApprovalVerdict };

/** Who decides, as lib/console tells it from the actor's permissions (lib/ra knows no roles). */
export type Decider = {
  userId: string;
  username: string;
  /** May decide every request (the approver role). */
  asApprover: boolean;
  /** May decide the requests of profiles that let administrators approve. */
  asAdministrator: boolean;
};

// ── The rules ────────────────────────────────────────────────────────────────────────────────

/** The spec's names of the states a client is told (spec: "PENDING, REJECT, or EXPIRED"). */
export const SPEC_STATE_NAMES: Record<ApprovalStatus, string> = {
  pending: "PENDING",
  approved: "APPROVED",
  rejected: "REJECT",
  expired: "EXPIRED",
};

/** A request's state at `now`: a pending request past its expiry is expired, written down or not. */
export function approvalStatusAt(
  req: Pick<ApprovalFacts, "status" | "expiresAt">,
  now: Date,
): ApprovalStatus {
  return req.status === "pending" && req.expiresAt.getTime() <= now.getTime() ? "expired" : req.status;
}

/** The approvals a request has so far. */
export function approvalsSoFar(decisions: readonly DecisionFacts[]): number {
  return decisions.filter((d) => d.verdict === "approve").length;
}

/** The state after one more decision: one rejection ends a request; enough approvals accept it. */
export function statusAfterDecision(
  req: Pick<ApprovalFacts, "approvalsRequired">,
  decisions: readonly DecisionFacts[],
  verdict: ApprovalVerdict,
): ApprovalStatus {
  if (verdict === "reject") return "rejected";
  return approvalsSoFar(decisions) + 1 >= req.approvalsRequired ? "approved" : "pending";
}

/**
 * Whether `username` could benefit from the request: its contacts (the registration's, or the
 * account's whose key changes) name that person. Console users are known by username only, so a
 * username that is an email address is matched against the mailto: contacts.
 */
export function benefitsFrom(contact: readonly string[], username: string): boolean {
  const mine = `mailto:${username.toLowerCase()}`;
  return contact.some((c) => c.toLowerCase() === mine);
}

/** Why `decider` may not decide `req` now, as the problem to answer, or null when they may. */
export function decisionRefusal(
  req: ApprovalFacts,
  decisions: readonly DecisionFacts[],
  decider: Decider,
  now: Date,
): AcmeProblem | null {
  // 1. Only an open request is decided.
  const status = approvalStatusAt(req, now);
  if (status !== "pending") {
    return conflictProblem(`Request ${req.id} is ${SPEC_STATE_NAMES[status]}: it cannot be decided any more`);
  }
  // 2. Approvers decide every request; administrators only where the profile lets them.
  if (!decider.asApprover && !(decider.asAdministrator && req.administratorsMayApprove)) {
    return AcmeProblem.unauthorized(
      decider.asAdministrator
        ? `The approval profile of request ${req.id} does not let administrators approve; an approver must decide it`
        : `Only approvers decide approval requests`,
    );
  }
  // 3. A person decides a request once.
  if (decisions.some((d) => d.userId === decider.userId)) {
    return conflictProblem(`You have already decided request ${req.id}`);
  }
  // 4. Nobody decides a request they could benefit from, unless the profile allows it.
  if (!req.selfApprovalAllowed && benefitsFrom(req.contact, decider.username)) {
    return AcmeProblem.unauthorized(
      `Request ${req.id} names you as a contact; its approval profile does not let you decide a request you could benefit from`,
    );
  }
  return null;
}

// ── What the client is told ──────────────────────────────────────────────────────────────────

const ASKED_FOR: Record<ApprovalKind, string> = {
  registration: "register your ACME account",
  keyChange: "change the key of your ACME account",
};

/** Spec: "A request to register your ACME account has been sent for approval. RequestID=123456789". */
export function approvalSentProblem(kind: ApprovalKind, id: number, renews?: number): AcmeProblem {
  const renewal = renews === undefined ? "" : ` (it renews the expired request ${renews})`;
  return AcmeProblem.serverInternal(
    `A request to ${ASKED_FOR[kind]} has been sent for approval. RequestID=${id}${renewal}`,
  );
}

/** Spec: "Further requests return responses in the same matter indicating the state". */
export function approvalStateProblem(kind: ApprovalKind, id: number, status: ApprovalStatus): AcmeProblem {
  const advice =
    status === "expired" && kind === "registration"
      ? ". This key can no longer be registered: generate a new key and register with it"
      : "";
  return AcmeProblem.serverInternal(
    `The request to ${ASKED_FOR[kind]} has state ${SPEC_STATE_NAMES[status]}. RequestID=${id}${advice}`,
  );
}

// ── Requests from ACME clients ───────────────────────────────────────────────────────────────

export type ApprovalAsk = {
  kind: ApprovalKind;
  alias: { id: string; name: string };
  /** The approval profile the alias names for this kind of request. */
  profileName: string;
  /** Registration: the key to register. Key change: the new key. */
  jwk: AccountJwk;
  thumbprint: string;
  /** Key change: the account and the key it replaces. */
  account?: { id: string; keyThumbprint: string };
  /** What the approvers see: the contacts asked for, or the account's. */
  contact: string[];
  ip?: string;
  now: Date;
};

/**
 * The key of what a request answers for, unique among requests that answer: the same
 * registration of a key on an alias, or the same key change of an account, finds the same request,
 * and concurrent identical requests create one (the unique index is the guard). A registration
 * request keeps its slot for ever (spec: an expired one is final for the key); a key-change request
 * gives it up when applied or renewed.
 */
function openSlotOf(ask: ApprovalAsk): string {
  if (ask.kind === "registration") return `registration:${ask.alias.id}:${ask.thumbprint}`;
  const account = ask.account as { id: string; keyThumbprint: string };
  return `keyChange:${account.id}:${account.keyThumbprint}:${ask.thumbprint}`;
}

const FACTS_SELECT = {
  id: true,
  kind: true,
  status: true,
  expiresAt: true,
  approvalsRequired: true,
  administratorsMayApprove: true,
  selfApprovalAllowed: true,
  contact: true,
} as const;

// Concurrent identical requests may each find the state moved by another: a few reads settle it.
const MAX_ATTEMPTS = 4;

/**
 * The approved request that lets this registration or key change go ahead now, or the problem
 * telling the client where its request stands (spec "Approvals"). The caller applies the approved
 * request with markApprovalApplied in the transaction of the change itself, so it takes effect once.
 */
export async function requireApproval(db: Db, ask: ApprovalAsk): Promise<{ id: number; contact: string[] }> {
  const slot = openSlotOf(ask);
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const existing = await db.approvalRequest.findUnique({ where: { openSlot: slot }, select: FACTS_SELECT });

    // 1. The first request: an approval request is created (one, however many arrive at once).
    if (!existing) {
      const created = await createApprovalRequest(db, ask, slot);
      if (created) throw approvalSentProblem(ask.kind, created.id);
      continue;
    }

    const status = approvalStatusAt(existing, ask.now);
    // 2. Approved: "a request to the newAccount resource creates the account".
    if (status === "approved") return { id: existing.id, contact: existing.contact };
    // 3. Still waiting, or rejected: the state and the RequestID.
    if (status === "pending" || status === "rejected") {
      throw approvalStateProblem(ask.kind, existing.id, status);
    }
    // 4. Expired. A registration: final, "you must generate new keys".
    if (ask.kind === "registration") {
      await db.$transaction((tx) => recordExpiry(tx, existing, ask.now));
      throw approvalStateProblem(ask.kind, existing.id, "expired");
    }
    //    A key change: "it is renewed automatically if the keyChange resource is requested".
    const renewed = await renewKeyChangeRequest(db, existing, ask, slot);
    if (renewed) throw approvalSentProblem(ask.kind, renewed.id, existing.id);
  }
  throw AcmeProblem.serverInternal();
}

async function profileRulesOf(tx: Tx, ask: ApprovalAsk) {
  const profile = await tx.approvalProfile.findUnique({ where: { name: ask.profileName } });
  // The alias store refuses a missing profile and a profile in use cannot be deleted, so this is
  // a database changed by hand: nothing a client can fix.
  if (!profile) {
    throw AcmeProblem.serverInternal(
      "This alias requires approval by a profile that does not exist; an administrator must correct the alias",
    );
  }
  return {
    profileName: profile.name,
    approvalsRequired: profile.approvalsRequired,
    administratorsMayApprove: profile.administratorsMayApprove,
    selfApprovalAllowed: profile.selfApprovalAllowed,
    expiresAt: new Date(ask.now.getTime() + profile.requestValiditySeconds * 1000),
  };
}

async function insertRequest(tx: Tx, ask: ApprovalAsk, slot: string, renews?: number) {
  const rules = await profileRulesOf(tx, ask);
  const row = await tx.approvalRequest.create({
    data: {
      aliasId: ask.alias.id,
      kind: ask.kind,
      jwk: ask.jwk,
      keyThumbprint: ask.thumbprint,
      accountId: ask.account?.id,
      oldKeyThumbprint: ask.account?.keyThumbprint,
      contact: ask.contact,
      clientIp: ask.ip,
      openSlot: slot,
      ...rules,
    },
    select: { id: true },
  });
  await recordAudit(tx, {
    actor: ask.account ? `account:${ask.account.id}` : "system",
    action: renews === undefined ? "approval.requested" : "approval.renewed",
    targetType: "approval",
    targetId: String(row.id),
    details: {
      alias: ask.alias.name,
      kind: ask.kind,
      keyThumbprint: ask.thumbprint,
      profile: rules.profileName,
      expiresAt: rules.expiresAt.toISOString(),
      ...(renews === undefined ? {} : { renews }),
    },
    ip: ask.ip,
  });
  return row;
}

/** A new request, or null when a concurrent identical request created it first. */
async function createApprovalRequest(db: Db, ask: ApprovalAsk, slot: string): Promise<{ id: number } | null> {
  try {
    return await db.$transaction((tx) => insertRequest(tx, ask, slot));
  } catch (err) {
    if (isUniqueViolation(err)) return null;
    throw err;
  }
}

/** Writes down that a pending request expired (once, audited); its state was expired already. */
async function recordExpiry(tx: Tx, req: ApprovalFacts, now: Date): Promise<void> {
  const { count } = await tx.approvalRequest.updateMany({
    where: { id: req.id, status: "pending", expiresAt: { lte: now } },
    data: { status: "expired" },
  });
  if (count === 1) {
    await recordAudit(tx, {
      actor: "system",
      action: "approval.expired",
      targetType: "approval",
      targetId: String(req.id),
      details: { kind: req.kind, expiresAt: req.expiresAt.toISOString() },
    });
  }
}

/**
 * The expired key-change request gives up its slot and a new request takes it, in one transaction;
 * null when a concurrent request renewed it first (the caller reads that one).
 */
async function renewKeyChangeRequest(
  db: Db,
  expired: ApprovalFacts,
  ask: ApprovalAsk,
  slot: string,
): Promise<{ id: number } | null> {
  try {
    return await db.$transaction(async (tx) => {
      await recordExpiry(tx, expired, ask.now);
      const { count } = await tx.approvalRequest.updateMany({
        where: { id: expired.id, openSlot: slot, status: "expired" },
        data: { openSlot: null },
      });
      if (count !== 1) return null;
      return insertRequest(tx, ask, slot, expired.id);
    });
  } catch (err) {
    if (isUniqueViolation(err)) return null;
    throw err;
  }
}

/**
 * In the transaction that applies an approved request (creates the account, changes the key):
 * marks it applied, exactly once. False when it is not an approved, unapplied request any more.
 */
export async function markApprovalApplied(
  tx: Tx,
  id: number,
  o: { accountId: string; now: Date; releaseSlot: boolean },
): Promise<boolean> {
  const { count } = await tx.approvalRequest.updateMany({
    where: { id, status: "approved", appliedAt: null },
    data: { appliedAt: o.now, accountId: o.accountId, ...(o.releaseSlot ? { openSlot: null } : {}) },
  });
  if (count === 1) {
    await recordAudit(tx, {
      actor: `account:${o.accountId}`,
      action: "approval.applied",
      targetType: "approval",
      targetId: String(id),
    });
  }
  return count === 1;
}

// ── Decisions of approvers ───────────────────────────────────────────────────────────────────

export type DecisionRequest = {
  id: number;
  decider: Decider;
  verdict: ApprovalVerdict;
  comment: string;
  by: { actor: AuditActor; ip?: string };
  now: Date;
};

/**
 * One person's decision on one request, under a row lock so that two approvers deciding at once
 * are counted one after the other; returns the request's state afterwards. Audited.
 */
export async function decideApprovalRequest(db: Db, o: DecisionRequest): Promise<ApprovalStatus> {
  try {
    return await db.$transaction(async (tx) => {
      if ((await lockApprovalRequest(tx, o.id)) === null) throw notFoundProblem(`Approval request ${o.id}`);
      const req = await tx.approvalRequest.findUniqueOrThrow({
        where: { id: o.id },
        select: {
          ...FACTS_SELECT,
          keyThumbprint: true,
          alias: { select: { name: true } },
          decisions: { select: { userId: true, verdict: true } },
        },
      });
      const refusal = decisionRefusal(req, req.decisions, o.decider, o.now);
      if (refusal) throw refusal;
      await tx.approvalDecision.create({
        data: { requestId: o.id, userId: o.decider.userId, verdict: o.verdict, comment: o.comment },
      });
      const status = statusAfterDecision(req, req.decisions, o.verdict);
      if (status !== "pending") {
        await tx.approvalRequest.updateMany({
          where: { id: o.id, status: "pending" },
          data: { status, decidedAt: o.now },
        });
      }
      await recordAudit(tx, {
        actor: o.by.actor,
        action: o.verdict === "approve" ? "approval.approved" : "approval.rejected",
        targetType: "approval",
        targetId: String(o.id),
        details: {
          alias: req.alias.name,
          kind: req.kind,
          keyThumbprint: req.keyThumbprint,
          comment: o.comment,
          approvals: approvalsSoFar(req.decisions) + (o.verdict === "approve" ? 1 : 0),
          approvalsRequired: req.approvalsRequired,
          before: { status: "pending" },
          after: { status },
        },
        ip: o.by.ip,
      });
      return status;
    });
  } catch (err) {
    // The unique (request, person) index behind rule 3, should two of one person's clicks race.
    if (isUniqueViolation(err)) throw conflictProblem(`You have already decided request ${o.id}`);
    throw err;
  }
}
