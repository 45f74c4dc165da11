// Helpers for tests that drive a running Keyward: database access for setup and assertions,
// and aliases created per test file so that files never share mutable configuration.
import { randomBytes } from "node:crypto";
import { inject } from "vitest";
import { createDb, type Db } from "@/lib/db/client";
import { type AliasSettingsInput, aliasSettingsSchema } from "@/lib/ra/alias-settings";
import { setAcmeEnabled } from "@/lib/ra/global-settings";

export function keyward() {
  return inject("keyward");
}

let database: Db | undefined;
export function testDb(): Db {
  database ??= createDb(keyward().databaseUrl, 4);
  return database;
}

export async function enableAcme(enabled = true): Promise<void> {
  await setAcmeEnabled(testDb(), enabled, "system");
}

/** A stored alias with the given settings; returns its name. */
export async function createTestAlias(
  settings: AliasSettingsInput = {},
  opts: { configured?: boolean; name?: string } = {},
) {
  const name = opts.name ?? `t-${randomBytes(4).toString("hex")}`;
  await testDb().alias.create({
    data: { name, configured: opts.configured ?? true, settings: aliasSettingsSchema.parse(settings) },
  });
  return name;
}

export async function updateTestAlias(name: string, settings: AliasSettingsInput) {
  await testDb().alias.update({ where: { name }, data: { settings: aliasSettingsSchema.parse(settings) } });
}

export function directoryUrl(aliasName?: string, base = keyward().httpUrl): string {
  return aliasName ? `${base}/acme/${aliasName}/directory` : `${base}/acme/directory`;
}
