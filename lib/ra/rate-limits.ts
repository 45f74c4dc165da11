// Rate limits (issue 14 item 10; RFC 8555 §6.6): which limit applies to which ACME operation, over
// which window, with which per-account overrides, and the rateLimited problem a client gets.
//
// Nothing is counted in memory or in counters of its own: each check counts the rows the CA
// stores anyway (accounts by the address that created them, orders, pending and invalid
// authorizations, certificates by registered domain), so a limit holds across every instance
// sharing the database at no extra write. Each ACME operation makes ONE statement of checks
// (lib/db/sql/rate-limits.ts), run just before the write it guards. The limits are alias settings
// (lib/ra/alias-settings.ts, 0 = no limit); an override sets one per-account limit for one
// account. Names and windows follow Boulder's ratelimits/names.go and Let's Encrypt's published
// limits, with defaults a private CA's busy clients never reach (README "Rate limits").
//
// Concurrency: a check and the write it guards are separate statements (READ COMMITTED), so
// requests of one key that pass their checks before any of them has committed all succeed. A
// limit can thus be overshot by the number of such requests in flight at once, never more, and
// the first request after them is refused. Serialising each key (a lock per key) would cost a
// statement and a round trip per operation; Boulder's limits are approximate in the same way.
import { getDomain } from "tldts";
import type { AuditActor } from "@/lib/audit/record";
import { recordAudit } from "@/lib/audit/record";
import type { Db } from "@/lib/db/client";
import {
  type AccountLimitReached,
  selectAccountLimitsReached,
  selectNewAccountLimitsReached,
  selectRateLimitUsage,
  type UsageRow,
} from "@/lib/db/sql/rate-limits";
import { canonicalIpAddress } from "@/lib/names";
import { AcmeProblem, invalidParamsProblem, notFoundProblem } from "@/lib/problem";
import {
  ACCOUNT_RATE_LIMIT_NAMES,
  type AccountRateLimitName,
  type AliasSettings,
  type AliasSettingsField,
} from "./alias-settings";
import type { ResolvedAlias } from "./aliases";
import type { Identifier } from "./identifiers";

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

type LimitDefinition = {
  /** As the console names it. */
  title: string;
  /** The alias setting that holds the limit's value (0 = no limit). */
  setting: AliasSettingsField;
  /** Sliding window the count covers; null: a count of what is open now (pending authorizations). */
  windowMs: number | null;
  /** What is counted, per what, as the problem's detail and the console say it. */
  counts: string;
  per: "address" | "ipv6Range" | "account" | "accountAndName" | "registeredDomain";
  /** Let's Encrypt's published limit, for the README and the console (2025). */
  letsEncrypt: string;
};

/**
 * Every limit, by the name the problem's detail, the console, the API and the CLI use (Boulder's
 * name and where it is checked in the comment above each; the checks are the assert* functions).
 */
export const RATE_LIMITS = {
  // Boulder NewRegistrationsPerIPAddress: checked at newAccount.
  newAccountsPerIpAddress: {
    title: "New accounts per IP address",
    setting: "rateLimitNewAccountsPerIpAddress",
    windowMs: 3 * HOUR_MS,
    counts: "new accounts",
    per: "address",
    letsEncrypt: "10 per 3 hours",
  },
  // Boulder NewRegistrationsPerIPv6Range: one /48 is one site (RFC 3177 §3), checked at newAccount.
  newAccountsPerIpv6Range: {
    title: "New accounts per IPv6 /48",
    setting: "rateLimitNewAccountsPerIpv6Range",
    windowMs: 3 * HOUR_MS,
    counts: "new accounts",
    per: "ipv6Range",
    letsEncrypt: "500 per 3 hours",
  },
  // Boulder NewOrdersPerAccount: checked at newOrder.
  newOrdersPerAccount: {
    title: "New orders per account",
    setting: "rateLimitNewOrdersPerAccount",
    windowMs: 3 * HOUR_MS,
    counts: "new orders",
    per: "account",
    letsEncrypt: "300 per 3 hours",
  },
  // Boulder's former PendingAuthorizationsPerAccount: checked at newOrder and newAuthz.
  pendingAuthorizationsPerAccount: {
    title: "Pending authorizations per account",
    setting: "rateLimitPendingAuthorizationsPerAccount",
    windowMs: null,
    counts: "pending authorizations",
    per: "account",
    letsEncrypt: "300 at once (withdrawn in 2024)",
  },
  // Boulder FailedAuthorizationsPerDomainPerAccount: checked at newOrder and newAuthz for each name.
  failedValidationsPerAccountAndName: {
    title: "Failed validations per account and name",
    setting: "rateLimitFailedValidationsPerAccountAndName",
    windowMs: HOUR_MS,
    counts: "failed validations",
    per: "accountAndName",
    letsEncrypt: "5 per hour",
  },
  // Boulder CertificatesPerDomain (with CertificatesPerDomainPerAccount as the per-account
  // override): checked at newOrder, so a client learns before it validates, and at finalize.
  certificatesPerRegisteredDomain: {
    title: "Certificates per registered domain",
    setting: "rateLimitCertificatesPerRegisteredDomain",
    windowMs: 7 * DAY_MS,
    counts: "certificates",
    per: "registeredDomain",
    letsEncrypt: "50 per 7 days",
  },
} as const satisfies Record<string, LimitDefinition>;

export type RateLimitName = keyof typeof RATE_LIMITS;
export const RATE_LIMIT_NAMES = Object.keys(RATE_LIMITS) as RateLimitName[];
export { ACCOUNT_RATE_LIMIT_NAMES, type AccountRateLimitName };

/** Whether an override can set `name` for one account (the new-account limits have no account yet). */
export function isAccountRateLimitName(name: string): name is AccountRateLimitName {
  return (ACCOUNT_RATE_LIMIT_NAMES as readonly string[]).includes(name);
}

/** The alias's value of a limit (0 = no limit). */
export function rateLimitValue(settings: AliasSettings, name: RateLimitName): number {
  return settings[RATE_LIMITS[name].setting];
}

/** The window as it follows "per": "3 hours", "hour", "7 days"; "at once" for a limit without one. */
export function rateLimitWindowText(name: RateLimitName): string {
  const ms: number | null = RATE_LIMITS[name].windowMs;
  if (ms === null) return "at once";
  if (ms % DAY_MS === 0) return ms === DAY_MS ? "day" : `${ms / DAY_MS} days`;
  return ms === HOUR_MS ? "hour" : `${ms / HOUR_MS} hours`;
}

// ---------------------------------------------------------------------------------------------
// Keys: client addresses and registered domains

/** The bits of an IPv6 range that one site is given (Boulder: RFC 3177 §3, not RFC 6177's /56). */
export const IPV6_RANGE_PREFIX_BITS = 48;

export type ClientAddress = { address: string; ipv6Range: string | null };

/**
 * What the new-account limits count a request by: its address in canonical form (an IPv4-mapped
 * IPv6 address, as a dual-stack listener reports IPv4 clients, is the IPv4 address) and, for
 * IPv6, its /48 ("2001:db8:1::/48"). Null when the address is unknown (a request that did not
 * come through server.ts) or not an address: such a request is not counted.
 */
export function clientAddressOf(ip: string | undefined): ClientAddress | null {
  if (!ip) return null;
  const canonical = canonicalIpAddress(ip);
  if (!canonical) return null;
  if (!canonical.includes(":")) return { address: canonical, ipv6Range: null };
  const groups = expandIpv6(canonical);
  // RFC 4291 §2.5.5.2: ::ffff:a.b.c.d is an IPv4 client.
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    const [hi = 0, lo = 0] = groups.slice(6);
    return { address: `${hi >> 8}.${hi & 0xff}.${lo >> 8}.${lo & 0xff}`, ipv6Range: null };
  }
  const kept = IPV6_RANGE_PREFIX_BITS / 16;
  const prefix = groups.map((g, i) => (i < kept ? g : 0)).map((g) => g.toString(16));
  return {
    address: canonical,
    ipv6Range: `${canonicalIpAddress(prefix.join(":"))}/${IPV6_RANGE_PREFIX_BITS}`,
  };
}

/** The eight 16-bit groups of a canonical IPv6 address (no dotted quad: the URL serializer has none). */
function expandIpv6(address: string): number[] {
  const [head = "", tail] = address.split("::");
  const parse = (part: string) => (part ? part.split(":").map((g) => Number.parseInt(g, 16)) : []);
  const left = parse(head);
  const right = tail === undefined ? [] : parse(tail);
  return [...left, ...Array(8 - left.length - right.length).fill(0), ...right];
}

/**
 * The registered domain of an identifier (the name one below its public suffix, Public Suffix
 * List with its private section, as Let's Encrypt counts): "www.example.co.uk" → "example.co.uk".
 * A name that is itself a public suffix, or has no suffix at all ("localhost"), counts as itself;
 * an IP address counts as itself (IPv6 as its /64, as Boulder does).
 */
export function registeredDomainOf(identifier: Identifier): string {
  if (identifier.type === "ip") {
    const client = clientAddressOf(identifier.value);
    if (!client) return identifier.value;
    if (!client.address.includes(":")) return client.address;
    const groups = expandIpv6(client.address).map((g, i) => (i < 4 ? g : 0));
    return `${canonicalIpAddress(groups.map((g) => g.toString(16)).join(":"))}/64`;
  }
  const name = identifier.value.replace(/^\*\./, "");
  return getDomain(name, { allowPrivateDomains: true }) ?? name;
}

/** Each registered domain of the identifiers once, sorted. */
export function registeredDomainsOf(identifiers: readonly Identifier[]): string[] {
  return [...new Set(identifiers.map(registeredDomainOf))].sort();
}

// ---------------------------------------------------------------------------------------------
// The problem

/**
 * RFC 8555 §6.6: 429 rateLimited with Retry-After (seconds until the count falls below the
 * limit); the detail names the limit, its value and window, what reached it, and when it resets.
 */
export function rateLimitedProblem(o: {
  name: RateLimitName;
  value: number;
  key: string | null;
  resetsAt: Date;
  now: Date;
  overridden?: boolean;
}): AcmeProblem {
  const retryAfterSeconds = Math.max(1, Math.ceil((o.resetsAt.getTime() - o.now.getTime()) / 1000));
  const windowText = rateLimitWindowText(o.name);
  const limit = `${o.value} ${RATE_LIMITS[o.name].counts} ${windowText === "at once" ? "at once" : `per ${windowText}`}${o.overridden ? ", set for this account" : ""}`;
  const what = ((): string => {
    switch (o.name) {
      case "newAccountsPerIpAddress":
        return `too many new accounts from ${o.key}`;
      case "newAccountsPerIpv6Range":
        return `too many new accounts from the IPv6 range ${o.key}`;
      case "newOrdersPerAccount":
        return "too many new orders from this account";
      case "pendingAuthorizationsPerAccount":
        return "too many pending authorizations on this account (answer or deactivate some, or let them expire)";
      case "failedValidationsPerAccountAndName":
        return `too many failed validations of "${o.key}" for this account`;
      case "certificatesPerRegisteredDomain":
        return `too many certificates already issued for the registered domain "${o.key}"`;
    }
  })();
  return new AcmeProblem(
    "rateLimited",
    `Rate limit ${o.name} (${limit}) reached: ${what}; retry after ${o.resetsAt.toISOString()}`,
    { retryAfterSeconds },
  );
}

// ---------------------------------------------------------------------------------------------
// Checks, one statement per ACME operation

const since = (now: Date, name: RateLimitName) => new Date(now.getTime() - (RATE_LIMITS[name].windowMs ?? 0));

/** RFC 8555 §7.3 newAccount: new accounts per address and per IPv6 /48, on this alias. */
export async function assertNewAccountAllowed(
  db: Db,
  o: { alias: ResolvedAlias; ip: string | undefined; now: Date },
): Promise<void> {
  const client = clientAddressOf(o.ip);
  const perAddress = rateLimitValue(o.alias.settings, "newAccountsPerIpAddress");
  const perRange = rateLimitValue(o.alias.settings, "newAccountsPerIpv6Range");
  if (!client || (perAddress === 0 && (perRange === 0 || !client.ipv6Range))) return;
  const reached = await selectNewAccountLimitsReached(db, {
    aliasId: o.alias.id,
    address:
      perAddress > 0
        ? { value: client.address, limit: perAddress, since: since(o.now, "newAccountsPerIpAddress") }
        : null,
    ipv6Range:
      perRange > 0 && client.ipv6Range
        ? { value: client.ipv6Range, limit: perRange, since: since(o.now, "newAccountsPerIpv6Range") }
        : null,
  });
  if (reached.address) {
    throw rateLimitedProblem({
      name: "newAccountsPerIpAddress",
      value: perAddress,
      key: client.address,
      resetsAt: resetOf("newAccountsPerIpAddress", reached.address),
      now: o.now,
    });
  }
  if (reached.ipv6Range) {
    throw rateLimitedProblem({
      name: "newAccountsPerIpv6Range",
      value: perRange,
      key: client.ipv6Range,
      resetsAt: resetOf("newAccountsPerIpv6Range", reached.ipv6Range),
      now: o.now,
    });
  }
}

/** When the row that reached the limit leaves the window (or, without a window, expires). */
function resetOf(name: RateLimitName, at: Date): Date {
  return new Date(at.getTime() + (RATE_LIMITS[name].windowMs ?? 0));
}

type AccountCheck = {
  alias: ResolvedAlias;
  account: { id: string };
  now: Date;
  limits: AccountRateLimitName[];
  /** Names whose failed validations count (failedValidationsPerAccountAndName). */
  identifiers?: readonly Identifier[];
};

async function assertAccountLimits(db: Db, o: AccountCheck): Promise<void> {
  const value = (name: AccountRateLimitName) => rateLimitValue(o.alias.settings, name);
  const has = (name: AccountRateLimitName) => o.limits.includes(name);
  const identifiers = o.identifiers ?? [];
  const reached = await selectAccountLimitsReached(db, {
    accountId: o.account.id,
    aliasId: o.alias.id,
    now: o.now,
    orders: has("newOrdersPerAccount")
      ? {
          overrideName: "newOrdersPerAccount",
          limit: value("newOrdersPerAccount"),
          since: since(o.now, "newOrdersPerAccount"),
        }
      : null,
    pendingAuthorizations: has("pendingAuthorizationsPerAccount")
      ? {
          overrideName: "pendingAuthorizationsPerAccount",
          limit: value("pendingAuthorizationsPerAccount"),
          since: o.now,
        }
      : null,
    invalidAuthorizations: has("failedValidationsPerAccountAndName")
      ? {
          overrideName: "failedValidationsPerAccountAndName",
          limit: value("failedValidationsPerAccountAndName"),
          since: since(o.now, "failedValidationsPerAccountAndName"),
          identifiers: identifiers.map((i) => ({
            type: i.type,
            value: i.value.replace(/^\*\./, ""),
          })),
        }
      : null,
    certificates: has("certificatesPerRegisteredDomain")
      ? {
          overrideName: "certificatesPerRegisteredDomain",
          limit: value("certificatesPerRegisteredDomain"),
          since: since(o.now, "certificatesPerRegisteredDomain"),
          registeredDomains: registeredDomainsOf(identifiers),
        }
      : null,
  });
  const first = reached[0];
  if (first) throw problemOfReached(first, o);
}

const NAME_OF_PART: Record<AccountLimitReached["part"], AccountRateLimitName> = {
  orders: "newOrdersPerAccount",
  pendingAuthorizations: "pendingAuthorizationsPerAccount",
  invalidAuthorizations: "failedValidationsPerAccountAndName",
  certificates: "certificatesPerRegisteredDomain",
};

function problemOfReached(hit: AccountLimitReached, o: AccountCheck): AcmeProblem {
  const name = NAME_OF_PART[hit.part];
  return rateLimitedProblem({
    name,
    value: hit.limit,
    key: hit.key,
    // A pending authorization frees its place when it expires; the others when they leave the window.
    resetsAt: resetOf(name, hit.at),
    now: o.now,
    overridden: hit.limit !== rateLimitValue(o.alias.settings, name),
  });
}

/**
 * RFC 8555 §7.4 newOrder: new orders and pending authorizations of the account, failed
 * validations of each name, and certificates per registered domain (Boulder checks the last at
 * newOrder too, so that a client is told before it spends validations).
 */
export function assertNewOrderAllowed(
  db: Db,
  o: { alias: ResolvedAlias; account: { id: string }; identifiers: readonly Identifier[]; now: Date },
): Promise<void> {
  return assertAccountLimits(db, {
    ...o,
    limits: [
      "newOrdersPerAccount",
      "pendingAuthorizationsPerAccount",
      "failedValidationsPerAccountAndName",
      "certificatesPerRegisteredDomain",
    ],
  });
}

/** RFC 8555 §7.4.1 newAuthz: pending authorizations of the account, failed validations of the name. */
export function assertNewAuthorizationAllowed(
  db: Db,
  o: { alias: ResolvedAlias; account: { id: string }; identifier: Identifier; now: Date },
): Promise<void> {
  return assertAccountLimits(db, {
    ...o,
    identifiers: [o.identifier],
    limits: ["pendingAuthorizationsPerAccount", "failedValidationsPerAccountAndName"],
  });
}

/** RFC 8555 §7.4 finalize: certificates per registered domain, where issuance is decided. */
export function assertIssuanceAllowed(
  db: Db,
  o: { alias: ResolvedAlias; account: { id: string }; identifiers: readonly Identifier[]; now: Date },
): Promise<void> {
  return assertAccountLimits(db, { ...o, limits: ["certificatesPerRegisteredDomain"] });
}

// ---------------------------------------------------------------------------------------------
// Per-account overrides, set and cleared by operators (lib/console/rate-limits.ts), audited

export type RateLimitOverrideRecord = {
  accountId: string;
  limit: AccountRateLimitName;
  value: number;
  note: string;
  setBy: string;
  createdAt: Date;
  updatedAt: Date;
};

type ChangedBy = { actor: AuditActor; ip?: string };

/** The overrides of the accounts of an alias, newest change first. */
export async function listRateLimitOverrides(db: Db, aliasId: string): Promise<RateLimitOverrideRecord[]> {
  const rows = await db.rateLimitOverride.findMany({
    where: { account: { aliasId } },
    orderBy: [{ updatedAt: "desc" }, { accountId: "asc" }, { limit: "asc" }],
  });
  return rows.filter((r) => isAccountRateLimitName(r.limit)) as RateLimitOverrideRecord[];
}

async function assertAccountOfAlias(db: Db, aliasId: string, accountId: string): Promise<void> {
  const account = await db.account.findUnique({ where: { id: accountId }, select: { aliasId: true } });
  if (account?.aliasId !== aliasId) {
    throw invalidParamsProblem([{ name: "accountId", reason: "No account of this alias has this id" }]);
  }
}

/** Sets (or replaces) one limit for one account of the alias; audited with its previous value. */
export async function setRateLimitOverride(
  db: Db,
  o: {
    aliasId: string;
    aliasName: string;
    accountId: string;
    limit: AccountRateLimitName;
    value: number;
    note: string;
  },
  by: ChangedBy,
): Promise<RateLimitOverrideRecord> {
  await assertAccountOfAlias(db, o.aliasId, o.accountId);
  return db.$transaction(async (tx) => {
    const key = { accountId_limit: { accountId: o.accountId, limit: o.limit } };
    const before = await tx.rateLimitOverride.findUnique({ where: key });
    const row = await tx.rateLimitOverride.upsert({
      where: key,
      create: { accountId: o.accountId, limit: o.limit, value: o.value, note: o.note, setBy: by.actor },
      update: { value: o.value, note: o.note, setBy: by.actor },
    });
    await recordAudit(tx, {
      actor: by.actor,
      action: "rateLimitOverride.set",
      targetType: "account",
      targetId: o.accountId,
      details: {
        alias: o.aliasName,
        limit: o.limit,
        before: before ? { value: before.value, note: before.note } : null,
        after: { value: o.value, note: o.note },
      },
      ip: by.ip,
    });
    return row as RateLimitOverrideRecord;
  });
}

/** Removes one account's override of one limit: the alias's value applies again. Audited. */
export async function clearRateLimitOverride(
  db: Db,
  o: { aliasId: string; aliasName: string; accountId: string; limit: AccountRateLimitName },
  by: ChangedBy,
): Promise<void> {
  await db.$transaction(async (tx) => {
    const before = await tx.rateLimitOverride.findFirst({
      where: { accountId: o.accountId, limit: o.limit, account: { aliasId: o.aliasId } },
    });
    if (!before) throw notFoundProblem(`An override of ${o.limit} for account ${o.accountId}`);
    const { count } = await tx.rateLimitOverride.deleteMany({
      where: { accountId: o.accountId, limit: o.limit, updatedAt: before.updatedAt },
    });
    if (count !== 1) throw notFoundProblem(`An override of ${o.limit} for account ${o.accountId}`);
    await recordAudit(tx, {
      actor: by.actor,
      action: "rateLimitOverride.cleared",
      targetType: "account",
      targetId: o.accountId,
      details: {
        alias: o.aliasName,
        limit: o.limit,
        before: { value: before.value, note: before.note },
        after: null,
      },
      ip: by.ip,
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Usage, for the console: each limit with its busiest keys

/** How many of the busiest keys the console shows per limit. */
export const RATE_LIMIT_USAGE_TOP = 5;

export type RateLimitUsageEntry = {
  /** The address, IPv6 range, account id or registered domain. */
  key: string;
  /** failedValidationsPerAccountAndName: the name that failed (the key is the account). */
  name: string | null;
  count: number;
  /** The limit in force for this key (an account's override, else the alias's value; 0 = none). */
  limit: number;
  overridden: boolean;
};

export type RateLimitUsage = {
  name: RateLimitName;
  title: string;
  setting: AliasSettingsField;
  value: number;
  window: string;
  counts: string;
  per: LimitDefinition["per"];
  perAccount: boolean;
  letsEncrypt: string;
  top: RateLimitUsageEntry[];
};

const LIMIT_OF_USAGE_PART: Record<UsageRow["part"], RateLimitName> = {
  address: "newAccountsPerIpAddress",
  ipv6Range: "newAccountsPerIpv6Range",
  orders: "newOrdersPerAccount",
  pendingAuthorizations: "pendingAuthorizationsPerAccount",
  invalidAuthorizations: "failedValidationsPerAccountAndName",
  certificates: "certificatesPerRegisteredDomain",
};

/** Every limit of the alias with its value and the busiest keys counted against it now. */
export async function rateLimitUsage(
  db: Db,
  o: { alias: ResolvedAlias; overrides: readonly RateLimitOverrideRecord[]; now: Date },
): Promise<RateLimitUsage[]> {
  const rows = await selectRateLimitUsage(db, {
    aliasId: o.alias.id,
    now: o.now,
    top: RATE_LIMIT_USAGE_TOP,
    accountsSince: since(o.now, "newAccountsPerIpAddress"),
    ordersSince: since(o.now, "newOrdersPerAccount"),
    failuresSince: since(o.now, "failedValidationsPerAccountAndName"),
    certificatesSince: since(o.now, "certificatesPerRegisteredDomain"),
  });
  const overrideOf = (accountId: string, name: RateLimitName) =>
    o.overrides.find((x) => x.accountId === accountId && x.limit === name);
  return RATE_LIMIT_NAMES.map((name) => {
    const def: LimitDefinition = RATE_LIMITS[name];
    const value = rateLimitValue(o.alias.settings, name);
    const perAccountKey = def.per === "account" || def.per === "accountAndName";
    return {
      name,
      title: def.title,
      setting: def.setting,
      value,
      window: rateLimitWindowText(name),
      counts: def.counts,
      per: def.per,
      perAccount: isAccountRateLimitName(name),
      letsEncrypt: def.letsEncrypt,
      top: rows
        .filter((r) => LIMIT_OF_USAGE_PART[r.part] === name)
        .map((r) => {
          const override = perAccountKey ? overrideOf(r.key, name) : undefined;
          return {
            key: r.key,
            name: r.name,
            count: r.count,
            limit: override?.value ?? value,
            overridden: override !== undefined,
          };
        }),
    };
  });
}
