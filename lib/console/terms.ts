// Terms of service as the console shows and publishes them (CONSOLE.md "Terms of service"): per
// alias, the versions with the time each took effect and how many accounts agreed to each, and the
// publish action, handed to lib/ra/aliases.ts (the version is recorded by lib/ra/terms.ts).
import { assertPermission, auditActorOf, type ConsoleActor } from "@/lib/auth/actor";
import { db } from "@/lib/db/client";
import { containsText } from "@/lib/db/text-filters";
import { notFoundProblem, zodProblem } from "@/lib/problem";
import { readAliasSettings } from "@/lib/ra/alias-settings";
import { publishTermsOfService } from "@/lib/ra/aliases";
import { actorNames } from "./audit";
import { DEFAULT_PAGE_SIZE, type Page } from "./schemas/common";
import { publishTermsBodySchema, type TermsListQuery } from "./schemas/terms";

export type TermsVersionView = {
  version: number;
  url: string;
  changeUrl: string | null;
  effectiveAt: string;
  publishedBy: string;
  /** Accounts whose agreement is to exactly this version. */
  accountsAgreed: number;
};

export type AliasTermsView = {
  alias: string;
  /** The URL the directory names now (null: no terms). */
  currentUrl: string | null;
  currentChangeUrl: string | null;
  requireNewApproval: boolean;
  agreeToNewAllowed: boolean;
  /** Newest first, unless the list asked for another order. */
  versions: TermsVersionView[];
  /** The newest version (null: none published): the one the directory names when it has terms. */
  latestVersion: number | null;
  accounts: number;
  /** Accounts that agreed to the newest version (or a later one: there is none). */
  accountsAgreedToCurrent: number;
};

async function termsOf(
  aliasRows: { id: string; name: string; settings: unknown }[],
): Promise<AliasTermsView[]> {
  const aliasIds = aliasRows.map((a) => a.id);
  const [versions, agreed, accounts] = await Promise.all([
    db().termsOfServiceVersion.findMany({
      where: { aliasId: { in: aliasIds } },
      orderBy: [{ aliasId: "asc" }, { version: "desc" }],
    }),
    db().account.groupBy({
      by: ["aliasId", "termsOfServiceVersion"],
      where: { aliasId: { in: aliasIds }, termsOfServiceVersion: { not: null } },
      _count: { _all: true },
    }),
    db().account.groupBy({ by: ["aliasId"], where: { aliasId: { in: aliasIds } }, _count: { _all: true } }),
  ]);
  const names = await actorNames([...new Set(versions.map((v) => v.publishedBy))]);
  return aliasRows.map((alias) => {
    const settings = readAliasSettings(alias.settings);
    const agreedTo = (version: number) =>
      agreed
        .filter((a) => a.aliasId === alias.id && a.termsOfServiceVersion === version)
        .reduce((n, a) => n + a._count._all, 0);
    const own = versions.filter((v) => v.aliasId === alias.id);
    const current = settings.termsOfServiceUrl ? own[0] : undefined;
    return {
      alias: alias.name,
      currentUrl: settings.termsOfServiceUrl,
      currentChangeUrl: settings.termsOfServiceChangeUrl,
      requireNewApproval: settings.termsOfServiceRequireNewApproval,
      agreeToNewAllowed: settings.agreeToNewTermsOfServiceAllowed,
      versions: own.map((v) => ({
        version: v.version,
        url: v.url,
        changeUrl: v.changeUrl,
        effectiveAt: v.effectiveAt.toISOString(),
        publishedBy: names.get(v.publishedBy) ?? v.publishedBy,
        accountsAgreed: agreedTo(v.version),
      })),
      latestVersion: own[0]?.version ?? null,
      accounts: accounts.find((a) => a.aliasId === alias.id)?._count._all ?? 0,
      accountsAgreedToCurrent: current ? agreedTo(current.version) : 0,
    };
  });
}

function sortVersions(versions: TermsVersionView[], sort: TermsListQuery["sort"], dir: "asc" | "desc") {
  const sign = dir === "asc" ? 1 : -1;
  const key = (v: TermsVersionView) => (sort === "accounts" ? v.accountsAgreed : v.version);
  // Ties (same number of agreements) newest first.
  return [...versions].sort((a, b) => sign * (key(a) - key(b)) || b.version - a.version);
}

/**
 * The terms of one page of aliases (by name, searched by name), for the Terms of service page;
 * each alias's versions in the asked order. An alias's versions are few (one per publication), so
 * they are sorted here, on the server, after the page of aliases is read.
 */
export async function listTerms(
  o: { actor: ConsoleActor } & Partial<TermsListQuery>,
): Promise<Page<AliasTermsView>> {
  assertPermission(o.actor, "console.read");
  const page = o.page ?? 1;
  const pageSize = o.pageSize ?? DEFAULT_PAGE_SIZE;
  const where = o.q ? { name: containsText(o.q) } : {};
  const [aliases, total] = await Promise.all([
    db().alias.findMany({
      where,
      select: { id: true, name: true, settings: true },
      orderBy: { name: "asc" },
      skip: (page - 1) * pageSize,
      take: pageSize,
    }),
    db().alias.count({ where }),
  ]);
  const items = (await termsOf(aliases)).map((t) => ({
    ...t,
    versions: sortVersions(t.versions, o.sort ?? "version", o.dir ?? "desc"),
  }));
  return { items, total, page, pageSize };
}

export async function getAliasTerms(o: { actor: ConsoleActor; alias: string }): Promise<AliasTermsView> {
  assertPermission(o.actor, "console.read");
  const alias = await db().alias.findUnique({
    where: { name: o.alias },
    select: { id: true, name: true, settings: true },
  });
  if (!alias) throw notFoundProblem(`Alias "${o.alias}"`);
  return (await termsOf([alias]))[0] as AliasTermsView;
}

/** Publishes new terms for an alias (administrator): in effect from now, recorded and audited. */
export async function publishTerms(o: {
  actor: ConsoleActor;
  alias: string;
  input: unknown;
}): Promise<AliasTermsView> {
  assertPermission(o.actor, "aliases.manage");
  const parsed = publishTermsBodySchema.safeParse(o.input);
  if (!parsed.success) throw zodProblem(parsed.error);
  await publishTermsOfService(db(), o.alias, parsed.data, { actor: auditActorOf(o.actor), ip: o.actor.ip });
  return getAliasTerms({ actor: o.actor, alias: o.alias });
}
