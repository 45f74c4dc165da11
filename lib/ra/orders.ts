// Orders (RFC 8555 §7.4): creation with their authorizations and challenges, status upkeep,
// and finalization. Status moves are conditional updates (Boulder SetOrderProcessing), so two
// concurrent finalizations of one order issue exactly one certificate.

import type { LoadedCertificateAuthority } from "@/lib/ca/authorities";
import { loadIssuingAuthority } from "@/lib/ca/chains";
import { type ParsedCsr, parseCsr, spkiSha256OfJwk, verifyCsr } from "@/lib/ca/csr";
import {
  DEFAULT_LEAF_VALIDITY_DAYS,
  issueLeafCertificate,
  type LeafIssuer,
  resolveLeafValidity,
} from "@/lib/ca/issuance";
import { assertCsrKeyFitsProfile } from "@/lib/ca/profiles";
import type { Db } from "@/lib/db/client";
import { isUniqueViolation } from "@/lib/db/errors";
import type { Prisma } from "@/lib/db/generated/client";
import { storeIssuedCertificate } from "@/lib/db/sql/certificates";
import { insertOrder, type OrderAuthorizationRow, type OrderRow, selectOrder } from "@/lib/db/sql/orders";
import { env } from "@/lib/env";
import { countCertificateIssued, NO_ALIAS } from "@/lib/observability/metrics";
import { AcmeProblem } from "@/lib/problem";
import type { Identifier } from "@/lib/ra/identifiers";
import type { AccountRecord } from "./accounts";
import { orderValiditySeconds, readAliasSettings } from "./alias-settings";
import type { ResolvedAlias } from "./aliases";
import { planAuthorizations } from "./authorizations";
import { announceSupersededRevocations } from "./certificates";
import {
  type EndEntityEnrolment,
  planEndEntity,
  planResumedEndEntity,
  resetEndEntityToNew,
  startEnrolment,
} from "./end-entities";
import { checkIdentifiers } from "./identifiers";
import { randomId } from "./ids";
import { deriveOrderStatus, type OrderStatus } from "./order-status";
import {
  assertAccountInEabNamespace,
  assertSanCountsFit,
  type IssuancePolicy,
  issuancePolicyOf,
} from "./profiles";
import { assertIssuanceAllowed, assertNewOrderAllowed, registeredDomainsOf } from "./rate-limits";

/** The built-in certificate profile's validity (lib/ca/profiles.ts BUILT_IN_LEAF_PROFILE). */
export const DEFAULT_CERTIFICATE_VALIDITY_DAYS = DEFAULT_LEAF_VALIDITY_DAYS;

export type OrderRecord = {
  id: string;
  accountId: string;
  status: OrderStatus;
  expiresAt: Date;
  identifiers: Identifier[];
  notBefore: Date | null;
  notAfter: Date | null;
  error: unknown;
  authorizationIds: string[];
  certificateId: string | null;
};

export type NewOrderRequest = {
  account: AccountRecord;
  alias: ResolvedAlias;
  identifiers: { type: string; value: string }[];
  notBefore?: string;
  notAfter?: string;
  now: Date;
};

/** §7.4: checks the identifiers and validity request, then stores the order with its authorizations. */
export async function createOrder(db: Db, req: NewOrderRequest): Promise<OrderRecord> {
  const identifiers = checkIdentifiers(req.identifiers, req.alias.settings);
  // Issue 12: the alias's end entity profile and its certificate profile decide what may be
  // ordered (SAN counts, the account's EAB namespace) and how long the certificate lives.
  const policy = await issuancePolicyOf(db, req.alias.settings);
  assertSanCountsFit(policy, identifiers);
  await assertAccountInEabNamespace(db, policy, req.account);
  const { notBefore, notAfter } = checkRequestedValidity(req.notBefore, req.notAfter, req.now, policy);
  const expiresAt = new Date(req.now.getTime() + orderValiditySeconds(req.alias.settings) * 1000);
  // §6.6: the alias's rate limits, checked just before the write they guard.
  await assertNewOrderAllowed(db, { alias: req.alias, account: req.account, identifiers, now: req.now });
  const id = randomId();
  const plan = planAuthorizations(req.alias.settings, identifiers, req.now);
  const authorizations = await insertOrder(db, {
    id,
    accountId: req.account.id,
    expiresAt,
    identifiers,
    notBefore,
    notAfter,
    now: req.now,
    ...plan,
  });
  const row: OrderRow = {
    id,
    accountId: req.account.id,
    status: "pending",
    expiresAt,
    identifiers,
    notBefore,
    notAfter,
    error: null,
    csr: null,
    authorizations,
    certificateId: null,
  };
  // All authorizations reused and valid: the order is ready at once (§7.4).
  return refreshOrderStatus(db, row, req.now);
}

/**
 * §7.4: notBefore/notAfter are honoured exactly or refused now, with the rules the CA applies at
 * issuance (lib/ca/issuance.ts), rather than accepted here and refused at finalize.
 */
function checkRequestedValidity(
  nb: string | undefined,
  na: string | undefined,
  now: Date,
  policy: IssuancePolicy,
) {
  const parse = (v: string | undefined, field: string) => {
    if (v === undefined) return undefined;
    const d = new Date(v);
    // RFC 3339 date-time (§7.4 refers to it for both fields).
    if (
      Number.isNaN(d.getTime()) ||
      !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i.test(v)
    ) {
      throw AcmeProblem.malformed(`${field} must be an RFC 3339 date-time`);
    }
    return d;
  };
  const notBefore = parse(nb, "notBefore");
  const notAfter = parse(na, "notAfter");
  if (notBefore || notAfter)
    resolveLeafValidity({ notBefore, notAfter, validitySeconds: policy.leafProfile.validitySeconds, now });
  return { notBefore: notBefore ?? null, notAfter: notAfter ?? null };
}

/** The order if it belongs to the account; 404 otherwise (as if it did not exist). */
export async function getOrderForAccount(
  db: Db,
  orderId: string,
  accountId: string,
  now: Date,
): Promise<OrderRecord> {
  const row = await selectOrder(db, orderId);
  if (!row || row.accountId !== accountId) throw AcmeProblem.notFound("Order");
  return refreshOrderStatus(db, row, now);
}

/** Persists the status that follows from the authorizations and expiry, if it changed. */
async function refreshOrderStatus(db: Db, row: OrderRow, now: Date): Promise<OrderRecord> {
  const derived = deriveOrderStatus({
    stored: row.status,
    expiresAt: row.expiresAt,
    authorizations: row.authorizations,
    now,
  });
  let status = row.status as OrderStatus;
  if (derived !== status) {
    const error = derived === "invalid" ? invalidOrderError(row, now) : undefined;
    const { count } = await db.order.updateMany({
      where: { id: row.id, status: row.status },
      data: { status: derived, error },
    });
    status =
      count === 1
        ? derived
        : ((await db.order.findUniqueOrThrow({ where: { id: row.id }, select: { status: true } }))
            .status as OrderStatus);
    if (count === 1 && error) row.error = error;
  }
  return toOrderRecord(row, status);
}

/** §7.1.6: the problem of an order one of whose authorizations failed. */
export const FAILED_AUTHORIZATION_ORDER_ERROR = {
  type: "urn:ietf:params:acme:error:unauthorized",
  detail: "An authorization of this order failed, expired or was deactivated",
  status: 403,
};

function invalidOrderError(row: OrderRow, now: Date) {
  if (row.expiresAt <= now)
    return {
      type: "urn:ietf:params:acme:error:malformed",
      detail: "The order expired before it was finalized",
      status: 400,
    };
  return FAILED_AUTHORIZATION_ORDER_ERROR;
}

const authorizationSortKey = (a: OrderAuthorizationRow) =>
  a.identifierType + (a.wildcard ? `*.${a.identifierValue}` : a.identifierValue);

function toOrderRecord(row: OrderRow, status: OrderStatus): OrderRecord {
  return {
    id: row.id,
    accountId: row.accountId,
    status,
    expiresAt: row.expiresAt,
    identifiers: row.identifiers as Identifier[],
    notBefore: row.notBefore,
    notAfter: row.notAfter,
    error: row.error,
    // In the order of the identifiers (sorted when the order was created), as clients expect.
    authorizationIds: [...row.authorizations]
      .sort((x, y) => authorizationSortKey(x).localeCompare(authorizationSortKey(y)))
      .map((a) => a.id),
    certificateId: row.certificateId,
  };
}

/**
 * §7.4 finalize: the CSR is checked while the order is still ready; then the order moves
 * ready → processing with the CSR and an issuance lease (only one request can win), the issuing
 * CA signs, and the certificate and the move processing → valid are stored in one transaction
 * with the audit record. Whatever fails after the move leaves the order invalid with a problem,
 * never processing; a process that dies on the way leaves it to finishInterruptedOrders.
 */
export async function finalizeOrder(
  db: Db,
  req: { account: AccountRecord; alias: ResolvedAlias; orderId: string; csr: string; now: Date; ip?: string },
): Promise<OrderRecord> {
  const order = await getOrderForAccount(db, req.orderId, req.account.id, req.now);
  if (order.status !== "ready") {
    throw new AcmeProblem(
      "orderNotReady",
      `Order's status ("${order.status}") is not acceptable for finalization; it must be "ready"`,
    );
  }
  const csr = parseCsr(req.csr);
  await verifyCsr(csr, {
    identifiers: order.identifiers,
    accountSpkiSha256: spkiSha256OfJwk(req.account.jwk),
  });
  // Issue 12: the profile's key rules and the account's EAB namespace (the profile may have
  // changed since the order was created), while the order is still ready and the client can retry.
  const policy = await issuancePolicyOf(db, req.alias.settings);
  assertCsrKeyFitsProfile(csr, policy.leafProfile);
  await assertAccountInEabNamespace(db, policy, req.account);
  // §6.6: certificates per registered domain, decided where issuance is.
  await assertIssuanceAllowed(db, {
    alias: req.alias,
    account: req.account,
    identifiers: order.identifiers,
    now: req.now,
  });
  // Issue 12 item 4: the end entity's name, while the client can still fix its CSR.
  const endEntity = planEndEntity({
    alias: req.alias,
    orderId: order.id,
    identifiers: order.identifiers,
    csr,
  });

  // Spec "EJBCA Specifics": the end entity is created or reset to NEW before the certificate is
  // enrolled, in the statement that moves the order ready → processing (one request wins).
  const enrolment = await startEnrolment(db, {
    plan: endEntity,
    orderId: order.id,
    policy,
    now: new Date(),
    csr: csr.der,
    processingUntil: issuanceLeaseEnd(req.now),
  });
  if (!enrolment) throw new AcmeProblem("orderNotReady", "The order is already being finalized");

  const certificateId = await issueAndStore(db, {
    order,
    csr,
    policy,
    now: req.now,
    ip: req.ip,
    aliasName: req.alias.name,
    enrolment,
  });
  return { ...order, status: "valid", certificateId };
}

function issuanceLeaseEnd(now: Date): Date {
  return new Date(now.getTime() + env().KEYWARD_ISSUANCE_LEASE_SECONDS * 1000);
}

/**
 * Signs the order's certificate and stores it with the move processing → valid. A failure to
 * sign or to store moves the order to invalid with the problem (its cause kept for the log); if
 * another instance finished the order meanwhile, its result stands.
 */
async function issueAndStore(
  db: Db,
  o: {
    order: OrderRecord;
    csr: ParsedCsr;
    policy: IssuancePolicy;
    now: Date;
    ip?: string;
    resumed?: boolean;
    aliasName?: string;
    /** The end entity finalize reset to NEW; a resumed issuance finds or plans it again. */
    enrolment?: EndEntityEnrolment;
  },
): Promise<string> {
  const { order } = o;
  const fail = async (problem: AcmeProblem): Promise<never> => {
    await failProcessingOrder(db, order.id, problem);
    throw problem;
  };

  let issued: Awaited<ReturnType<typeof issueLeafCertificate>>;
  let caName: string;
  let endEntity: EndEntityEnrolment;
  try {
    // Spec "EJBCA Specifics": created or reset to NEW before the certificate is enrolled.
    endEntity =
      o.enrolment ??
      (await resetEndEntityToNew(db, {
        plan: await planResumedEndEntity(db, { ...order, orderId: order.id, csr: o.csr }),
        orderId: order.id,
        policy: o.policy,
        now: o.now,
      }));
    const ca = await signingCaOf(db, o.policy);
    caName = ca.name;
    issued = await issueLeafCertificate({
      ca,
      csr: o.csr,
      identifiers: order.identifiers,
      notBefore: order.notBefore ?? undefined,
      notAfter: order.notAfter ?? undefined,
      profile: o.policy.leafProfile,
      now: o.now,
    });
  } catch (err) {
    return fail(
      err instanceof AcmeProblem ? err : AcmeProblem.serverInternal("Issuance failed", { cause: err }),
    );
  }
  if (env().KEYWARD_TEST_FAULT === "exit-after-signing") process.kill(process.pid, "SIGKILL");

  try {
    const stored = await storeIssuedCertificate(
      db,
      {
        id: issued.serialHex,
        serialHex: issued.serialHex,
        accountId: order.accountId,
        orderId: order.id,
        issuerId: issued.issuerId,
        der: issued.der,
        subjectDn: issued.subjectDn,
        names: [...issued.names],
        registeredDomains: registeredDomainsOf(order.identifiers),
        spkiSha256: issued.spkiSha256,
        keyAlgorithm: issued.keyAlgorithm,
        notBefore: issued.notBefore,
        notAfter: issued.notAfter,
        endEntityId: endEntity.id,
      },
      {
        actor: `account:${order.accountId}`,
        action: "certificate.issued",
        targetType: "certificate",
        details: {
          orderId: order.id,
          names: issued.names,
          endEntity: endEntity.username,
          ...(o.policy.endEntityProfileName === null
            ? {}
            : {
                endEntityProfile: o.policy.endEntityProfileName,
                certificateProfile: o.policy.certificateProfileName,
              }),
          notBefore: issued.notBefore.toISOString(),
          notAfter: issued.notAfter.toISOString(),
          ...(o.resumed ? { resumedAfterInterruption: true } : {}),
        },
        ip: o.ip ?? null,
      },
      new Date(),
      endEntity,
    );
    if (!stored.stored) throw new OrderMovedOn();
    await announceSupersededRevocations(db, stored.superseded);
  } catch (err) {
    // Another instance finished (or failed) the order first: its outcome is the order's.
    if (err instanceof OrderMovedOn || isUniqueViolation(err)) {
      const current = await db.order.findUniqueOrThrow({
        where: { id: order.id },
        select: { certificate: { select: { id: true } } },
      });
      if (current.certificate) return current.certificate.id;
      throw new AcmeProblem("orderNotReady", "The order was finalized by another request meanwhile");
    }
    return fail(AcmeProblem.serverInternal("The certificate could not be stored", { cause: err }));
  }
  countCertificateIssued({
    alias: o.aliasName ?? (await aliasNameOfAccount(db, order.accountId)),
    ca: caName,
  });
  return issued.serialHex;
}

class OrderMovedOn extends Error {}

/**
 * The CA that signs under the policy: its end entity profile's default CA (or its certificate
 * profile's first available CA), else Keyward's default issuing CA (issue 12 item 3). A CA renewed
 * with a new key hands issuing to its successor, and the chains are the CA's own plus its
 * cross-certificates (lib/ca/chains.ts).
 */
async function signingCaOf(db: Db, policy: IssuancePolicy): Promise<LoadedCertificateAuthority & LeafIssuer> {
  try {
    return await loadIssuingAuthority(db, policy.caId);
  } catch (err) {
    // The profile store refuses unknown and root CAs; this is a CA that cannot issue since.
    throw AcmeProblem.serverInternal("The end entity profile's certificate authority cannot issue", {
      cause: err,
    });
  }
}

/** The alias of an account (an order resumed after a crash has no request to name it). */
async function aliasNameOfAccount(db: Db, accountId: string): Promise<string> {
  const account = await db.account
    .findUnique({ where: { id: accountId }, select: { alias: { select: { name: true } } } })
    .catch(() => null);
  return account?.alias.name ?? NO_ALIAS;
}

/** The settings of the alias an account belongs to (an order resumed after a crash has no request). */
async function aliasSettingsOfAccount(db: Db, accountId: string) {
  const account = await db.account.findUniqueOrThrow({
    where: { id: accountId },
    select: { alias: { select: { settings: true } } },
  });
  return readAliasSettings(account.alias.settings);
}

/** processing → invalid with the problem (RFC 8555 §7.1.3 "error"), if still processing. */
async function failProcessingOrder(db: Db, orderId: string, problem: AcmeProblem): Promise<void> {
  await db.order.updateMany({
    where: { id: orderId, status: "processing" },
    data: {
      status: "invalid",
      error: problem.toJSON() as Prisma.InputJsonValue,
      csr: null,
      processingUntil: null,
    },
  });
}

/**
 * Orders left processing by an instance that died between moving them there and storing their
 * certificate (its issuance lease ran out): each is claimed by extending its lease (one instance
 * wins) and finished from its stored CSR, or made invalid if that fails. Run on a timer by every
 * instance; returns how many it finished or failed.
 */
export async function finishInterruptedOrders(db: Db, now = new Date()): Promise<number> {
  const stale = await db.order.findMany({
    where: { status: "processing", processingUntil: { lt: now } },
    select: { id: true, processingUntil: true },
    take: 20,
  });
  let handled = 0;
  for (const candidate of stale) {
    const { count } = await db.order.updateMany({
      where: { id: candidate.id, status: "processing", processingUntil: candidate.processingUntil },
      data: { processingUntil: issuanceLeaseEnd(now) },
    });
    if (count !== 1) continue; // another instance claimed it
    const row = await selectOrder(db, candidate.id);
    if (!row) continue; // deleted with its account meanwhile
    const order = toOrderRecord(row, "processing");
    handled++;
    if (!row.csr) {
      // Left processing by a version that did not keep the CSR: nothing to finish it from.
      await failProcessingOrder(
        db,
        order.id,
        AcmeProblem.serverInternal("Issuance was interrupted; finalize a new order"),
      );
      continue;
    }
    try {
      const csr = parseCsr(Buffer.from(row.csr).toString("base64url"));
      let policy: IssuancePolicy;
      try {
        policy = await issuancePolicyOf(db, await aliasSettingsOfAccount(db, order.accountId));
      } catch (err) {
        await failProcessingOrder(
          db,
          order.id,
          err instanceof AcmeProblem ? err : AcmeProblem.serverInternal("Issuance failed", { cause: err }),
        );
        throw err;
      }
      await issueAndStore(db, { order, csr, policy, now, resumed: true });
    } catch (err) {
      if (!(err instanceof AcmeProblem)) throw err;
      // issueAndStore has made the order invalid with its problem.
      if (err.status >= 500)
        console.error(`[ra] order ${order.id} could not be finished:`, err.options.cause ?? err);
    }
  }
  return handled;
}
