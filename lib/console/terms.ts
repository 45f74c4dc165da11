// Terms of service as the console shows and publishes them (CONSOLE.md "Terms of service"): per
// alias, the versions with the time each took effect and how many accounts agreed to each, and the
// publish action, handed to lib/ra/aliases.ts (the version is recorded by lib/ra/terms.ts).
import { assertPermission, auditActorOf, type ConsoleActor } from "@/lib/auth/actor";
import { db } from "@/lib/db/client";
import { notFoundProblem, zodProblem } from "@/lib/problem";
import { readAliasSettings } from "@/lib/ra/alias-settings";
import { publishTermsOfService } from "@/lib/ra/aliases";
import { actorNames } from "./audit";
import { publishTermsBodySchema } from "./schemas/terms";

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
  /** Newest first. */
  versions: TermsVersionView[];
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
      accounts: accounts.find((a) => a.aliasId === alias.id)?._count._all ?? 0,
      accountsAgreedToCurrent: current ? agreedTo(current.version) : 0,
    };
  });
}

/** Every alias's terms, for the Terms of service page. */
export async function listTerms(o: { actor: ConsoleActor }): Promise<AliasTermsView[]> {
  assertPermission(o.actor, "console.read");
  const aliases = await db().alias.findMany({
    select: { id: true, name: true, settings: true },
    orderBy: { name: "asc" },
    take: 200,
  });
  return termsOf(aliases);
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
