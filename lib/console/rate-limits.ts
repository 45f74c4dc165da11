// An alias's rate limits as the console shows and changes them: each limit with its value, its
// window and the busiest keys counted against it now, and the per-account overrides, which
// administrators set and clear (audited by lib/ra/rate-limits.ts) and everyone else reads.
import { assertPermission, auditActorOf, type ConsoleActor } from "@/lib/auth/actor";
import { db } from "@/lib/db/client";
import { notFoundProblem, zodProblem } from "@/lib/problem";
import type { ResolvedAlias } from "@/lib/ra/aliases";
import * as ra from "@/lib/ra/rate-limits";
import { loadAliasContext } from "@/lib/ra/request-context";
import { type SetRateLimitOverrideBody, setRateLimitOverrideBodySchema } from "./schemas/rate-limits";

export type RateLimitOverrideView = {
  accountId: string;
  /** The account's first contact, to recognise it by. */
  accountContact: string | null;
  limit: ra.AccountRateLimitName;
  value: number;
  note: string;
  /** Who set it last: a username, "token <name>" or "command line". */
  setBy: string;
  createdAt: string;
  updatedAt: string;
};

export type RateLimitUsageView = Omit<ra.RateLimitUsage, "top"> & {
  top: (ra.RateLimitUsageEntry & { accountContact: string | null })[];
};

export type AliasRateLimits = {
  alias: string;
  /** When the counts were taken. */
  at: string;
  limits: RateLimitUsageView[];
  overrides: RateLimitOverrideView[];
};

async function resolveAliasOrThrow(name: string): Promise<ResolvedAlias> {
  const { alias } = await loadAliasContext(db(), name);
  if (!alias) throw notFoundProblem(`Alias "${name}"`);
  return alias;
}

/** Display names of audit actors ("user:<id>" → username), as the audit log shows them. */
async function actorNames(actors: string[]): Promise<Map<string, string>> {
  const ids = (kind: string) =>
    actors.filter((a) => a.startsWith(`${kind}:`)).map((a) => a.slice(kind.length + 1));
  const [users, tokens] = await Promise.all([
    db().user.findMany({ where: { id: { in: ids("user") } }, select: { id: true, username: true } }),
    db().apiToken.findMany({ where: { id: { in: ids("token") } }, select: { id: true, name: true } }),
  ]);
  const names = new Map<string, string>([["system", "command line"]]);
  for (const u of users) names.set(`user:${u.id}`, u.username);
  for (const t of tokens) names.set(`token:${t.id}`, `token ${t.name}`);
  return names;
}

async function accountContacts(ids: string[]): Promise<Map<string, string | null>> {
  const rows = await db().account.findMany({
    where: { id: { in: [...new Set(ids)] } },
    select: { id: true, contact: true },
  });
  return new Map(rows.map((r) => [r.id, r.contact[0] ?? null]));
}

/** Every limit of the alias with its usage now, and the overrides of its accounts. */
export async function getAliasRateLimits(o: { actor: ConsoleActor; name: string }): Promise<AliasRateLimits> {
  assertPermission(o.actor, "console.read");
  const alias = await resolveAliasOrThrow(o.name);
  const now = new Date();
  const overrides = await ra.listRateLimitOverrides(db(), alias.id);
  const usage = await ra.rateLimitUsage(db(), { alias, overrides, now });
  const accountIds = [
    ...overrides.map((x) => x.accountId),
    ...usage
      .filter((u) => u.per === "account" || u.per === "accountAndName")
      .flatMap((u) => u.top.map((t) => t.key)),
  ];
  const [contacts, names] = await Promise.all([
    accountContacts(accountIds),
    actorNames(overrides.map((x) => x.setBy)),
  ]);
  return {
    alias: alias.name,
    at: now.toISOString(),
    limits: usage.map((u) => ({
      ...u,
      top: u.top.map((t) => ({ ...t, accountContact: contacts.get(t.key) ?? null })),
    })),
    overrides: overrides.map((x) => ({
      accountId: x.accountId,
      accountContact: contacts.get(x.accountId) ?? null,
      limit: x.limit,
      value: x.value,
      note: x.note,
      setBy: names.get(x.setBy) ?? x.setBy,
      createdAt: x.createdAt.toISOString(),
      updatedAt: x.updatedAt.toISOString(),
    })),
  };
}

const changedBy = (actor: ConsoleActor) => ({ actor: auditActorOf(actor), ip: actor.ip });

/** Sets one limit for one account of the alias (replacing an earlier override of it). */
export async function setRateLimitOverride(o: {
  actor: ConsoleActor;
  name: string;
  input: unknown;
}): Promise<AliasRateLimits> {
  assertPermission(o.actor, "aliases.manage");
  const parsed = setRateLimitOverrideBodySchema.safeParse(o.input);
  if (!parsed.success) throw zodProblem(parsed.error);
  const input: SetRateLimitOverrideBody = parsed.data;
  const alias = await resolveAliasOrThrow(o.name);
  await ra.setRateLimitOverride(
    db(),
    { aliasId: alias.id, aliasName: alias.name, ...input },
    changedBy(o.actor),
  );
  return getAliasRateLimits({ actor: o.actor, name: o.name });
}

/** Removes one account's override of one limit: the alias's value applies to it again. */
export async function clearRateLimitOverride(o: {
  actor: ConsoleActor;
  name: string;
  accountId: string;
  limit: ra.AccountRateLimitName;
}): Promise<AliasRateLimits> {
  assertPermission(o.actor, "aliases.manage");
  const alias = await resolveAliasOrThrow(o.name);
  await ra.clearRateLimitOverride(
    db(),
    { aliasId: alias.id, aliasName: alias.name, accountId: o.accountId, limit: o.limit },
    changedBy(o.actor),
  );
  return getAliasRateLimits({ actor: o.actor, name: o.name });
}
