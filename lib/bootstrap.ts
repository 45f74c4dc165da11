// What every Keyward process does before it serves: open the database (the embedded one when no
// DATABASE_URL is configured), apply migrations, and create on first start what a CA needs —
// global settings with the nonce key, the first alias, the root and issuing CA.

import { ensureFirstAdministrator, type FirstAdministrator } from "@/lib/auth/bootstrap-admin";
import {
  type BootstrapResult,
  bootstrapCertificateAuthorities,
  writePublicCaFiles,
} from "@/lib/ca/authorities";
import { secretBox } from "@/lib/crypto/master-key";
import { ensurePrivateDirectory } from "@/lib/data-dir";
import { followEmbeddedNotifications, listenForChanges } from "@/lib/db/changes";
import { closeDb, db } from "@/lib/db/client";
import { runningEmbeddedDatabaseUrl, startEmbeddedDatabase } from "@/lib/db/embedded";
import { applyMigrations } from "@/lib/db/migrate";
import { adoptDatabaseUrl, env } from "@/lib/env";
import { ensureBootstrapAlias } from "@/lib/ra/aliases";
import { ensureGlobalSettings } from "@/lib/ra/global-settings";

export type Bootstrapped = {
  databaseUrl: string;
  embedded: boolean;
  cas: BootstrapResult;
  caFiles: Awaited<ReturnType<typeof writePublicCaFiles>>;
  appliedMigrations: string[];
  /** Set only at the start that created the first administrator (its one-time password). */
  firstAdministrator: FirstAdministrator | null;
  shutdown: () => Promise<void>;
};

export async function bootstrapKeyward(): Promise<Bootstrapped> {
  const config = env();
  // First, before the master key, the database or any CA file lands in it (lib/data-dir.ts).
  ensurePrivateDirectory(config.dataDir);
  let stopEmbedded: (() => Promise<void>) | undefined;
  let stopListening: (() => Promise<void>) | undefined;
  let databaseUrl = config.DATABASE_URL;
  if (!databaseUrl) {
    const embedded = await startEmbeddedDatabase({ dataDir: config.dataDir });
    stopEmbedded = embedded.stop;
    databaseUrl = embedded.url;
    adoptDatabaseUrl(databaseUrl);
    followEmbeddedNotifications(embedded);
  } else if (runningEmbeddedDatabaseUrl(config.dataDir) !== databaseUrl) {
    // Another process's embedded database (a second instance on one data directory) cannot be
    // listened to: this process's caches then read through.
    stopListening = listenForChanges(databaseUrl, (message) => console.error(`[db] ${message}`));
  }
  try {
    const appliedMigrations = await applyMigrations(databaseUrl);
    const database = db();
    const box = secretBox();
    await ensureGlobalSettings(database, box);
    await ensureBootstrapAlias(database);
    const firstAdministrator = await ensureFirstAdministrator(database);
    const cas = await bootstrapCertificateAuthorities(database, {
      box,
      algorithm: config.KEYWARD_CA_KEY_ALGORITHM,
      name: config.KEYWARD_CA_NAME,
    });
    const caFiles = await writePublicCaFiles(config.dataDir, cas);
    return {
      databaseUrl,
      embedded: stopEmbedded !== undefined,
      cas,
      caFiles,
      appliedMigrations,
      firstAdministrator,
      shutdown: async () => {
        await stopListening?.();
        await closeDb();
        await stopEmbedded?.();
      },
    };
  } catch (err) {
    await stopListening?.().catch(() => {});
    await closeDb().catch(() => {});
    await stopEmbedded?.().catch(() => {});
    throw err;
  }
}
