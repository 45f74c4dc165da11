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

/**
 * Turns ACME on or off as another instance would, through the database, and waits until the
 * test server has heard of it: the server keeps settings in memory and learns of a change by a
 * PostgreSQL notification (lib/db/changes.ts), which may arrive after the next request.
 */
export async function enableAcme(enabled = true): Promise<void> {
  await setAcmeEnabled(testDb(), enabled, "system");
  const deadline = Date.now() + 5_000;
  for (;;) {
    const res = await fetch(`${keyward().httpUrl}/acme/directory`);
    const body = await res.text();
    const disabled = res.status === 403 && body.includes("is disabled");
    if (disabled !== enabled) return;
    if (Date.now() > deadline) {
      throw new Error(`the server still has ACME ${enabled ? "disabled" : "enabled"} 5 s after the change`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
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
