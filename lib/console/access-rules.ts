// An alias's access rules as the console shows and changes them: the client certificates
// registered for it and what each may do (spec "ACME with Client Authentication"). Reading needs
// console.read, changing aliases.manage (administrators); lib/ra/client-access-rules.ts holds the
// rules and writes each change with its audit row.
import { assertPermission, auditActorOf, type ConsoleActor } from "@/lib/auth/actor";
import { db } from "@/lib/db/client";
import { caAccessRule, endEntityProfileAccessRules, FUNCTION_ACCESS_RULES } from "@/lib/ra/access-rights";
import * as ra from "@/lib/ra/client-access-rules";
import type { AccessRuleBody } from "./schemas/access-rules";

export type { AccessRuleView } from "@/lib/ra/client-access-rules";

/**
 * The rules an operator may grant: the spec's function rules, access to each CA, and the four
 * rules of each end entity profile that exists.
 */
export type AccessRuleChoices = {
  functionRules: { rule: string; label: string }[];
  cas: { rule: string; name: string; role: string }[];
  endEntityProfiles: { name: string; rules: { rule: string; label: string }[] }[];
};

export async function listAccessRules(o: {
  actor: ConsoleActor;
  alias: string;
}): Promise<ra.AccessRuleView[]> {
  assertPermission(o.actor, "console.read");
  return ra.listAccessRules(db(), o.alias);
}

export async function getAccessRuleChoices(o: { actor: ConsoleActor }): Promise<AccessRuleChoices> {
  assertPermission(o.actor, "console.read");
  const [cas, profiles] = await Promise.all([
    db().certificateAuthority.findMany({
      select: { name: true, role: true },
      orderBy: [{ role: "desc" }, { createdAt: "asc" }],
    }),
    db().endEntityProfile.findMany({ select: { name: true }, orderBy: { name: "asc" } }),
  ]);
  return {
    functionRules: FUNCTION_ACCESS_RULES.map((r) => ({ rule: r.rule, label: r.label })),
    cas: cas.map((ca) => ({ rule: caAccessRule(ca.name), name: ca.name, role: ca.role })),
    endEntityProfiles: profiles.map((p) => ({ name: p.name, rules: endEntityProfileAccessRules(p.name) })),
  };
}

export async function addAccessRule(o: {
  actor: ConsoleActor;
  alias: string;
  input: AccessRuleBody;
}): Promise<ra.AccessRuleView> {
  assertPermission(o.actor, "aliases.manage");
  return ra.addAccessRule(db(), o.alias, o.input, { actor: auditActorOf(o.actor), ip: o.actor.ip });
}

export async function removeAccessRule(o: { actor: ConsoleActor; alias: string; id: string }): Promise<void> {
  assertPermission(o.actor, "aliases.manage");
  await ra.removeAccessRule(db(), o.alias, o.id, { actor: auditActorOf(o.actor), ip: o.actor.ip });
}
