// The change feed behind the caches (lib/db/changes.ts): a change committed by any connection —
// another process, the CLI, psql — reaches this process's feed through the triggers' NOTIFY, on
// PostgreSQL (a LISTEN connection of its own) and on the embedded database (forwarded by its
// process). Neither source is live before it listens; a stopped source is not live.
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { changeFeed, followEmbeddedNotifications, listenForChanges } from "@/lib/db/changes";
import { type EmbeddedDatabase, startEmbeddedDatabase } from "@/lib/db/embedded";
import { applyMigrations } from "@/lib/db/migrate";
import { createFreshDatabase, POSTGRES_SERVER_URL, requirePostgresServer } from "../../support/test-db";

const TIMEOUT_MS = 120_000;
const NOTIFY_WITHIN_MS = 5_000;

/** The next change the feed reports that satisfies `match`, or a failure after NOTIFY_WITHIN_MS. */
function nextChange(match: (change: string | null) => boolean): Promise<string | null> {
  return new Promise((resolve, reject) => {
    let done = false;
    const timer = setTimeout(() => {
      done = true;
      reject(new Error("no matching change notification"));
    }, NOTIFY_WITHIN_MS);
    changeFeed().subscribe((change) => {
      if (done || !match(change)) return;
      done = true;
      clearTimeout(timer);
      resolve(change);
    });
  });
}

async function exercise(url: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`INSERT INTO "Alias" ("id", "name", "configured", "settings", "updatedAt")
                        VALUES ('al1', 'feed', true, '{}', now())`);
    await client.query(`INSERT INTO "Account" ("id", "aliasId", "jwk", "keyThumbprint", "contact", "updatedAt")
                        VALUES ('acc1', 'al1', '{}', 'tp', '{}', now())`);
    // An alias change → "settings"; an account change → that account.
    const settings = nextChange((c) => c === "settings");
    await client.query(`UPDATE "Alias" SET "configured" = false WHERE "id" = 'al1'`);
    expect(await settings).toBe("settings");
    const account = nextChange((c) => c?.startsWith("account:") === true);
    await client.query(`UPDATE "Account" SET "status" = 'deactivated' WHERE "id" = 'acc1'`);
    expect(await account).toBe("account:acc1");
    // A rolled-back change tells nobody.
    const none = nextChange((c) => c === "account:acc1");
    await client.query("BEGIN");
    await client.query(`UPDATE "Account" SET "status" = 'valid' WHERE "id" = 'acc1'`);
    await client.query("ROLLBACK");
    await expect(none).rejects.toThrow("no matching change notification");
  } finally {
    await client.end();
  }
}

describe("change notifications on PostgreSQL", () => {
  let url: string;
  let drop: () => Promise<void>;
  beforeAll(async () => {
    await requirePostgresServer(POSTGRES_SERVER_URL);
    const fresh = await createFreshDatabase(POSTGRES_SERVER_URL, "changes");
    url = fresh.url;
    drop = fresh.drop;
    await applyMigrations(url);
  }, TIMEOUT_MS);
  afterAll(async () => drop?.(), TIMEOUT_MS);

  it(
    "a LISTEN connection of its own carries every committed change; stopped, the feed is not live",
    async () => {
      expect(changeFeed().live).toBe(false);
      const live = nextChange((c) => c === null);
      const stop = listenForChanges(url, () => {});
      await live;
      expect(changeFeed().live).toBe(true);
      try {
        await exercise(url);
      } finally {
        await stop();
      }
      expect(changeFeed().live).toBe(false);
    },
    TIMEOUT_MS,
  );
});

describe("change notifications on the embedded database", () => {
  let dir: string;
  let embedded: EmbeddedDatabase;
  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), "keyward-changes-"));
    embedded = await startEmbeddedDatabase({ dataDir: dir });
    await applyMigrations(embedded.url);
  }, TIMEOUT_MS);
  afterAll(async () => {
    await embedded?.stop();
    await fs.rm(dir, { recursive: true, force: true });
  }, TIMEOUT_MS);

  it(
    "changes made over its socket are forwarded by its process; its exit makes the feed not live",
    async () => {
      followEmbeddedNotifications(embedded);
      expect(changeFeed().live).toBe(true);
      await exercise(embedded.url);
      const down = nextChange((c) => c === null);
      await embedded.stop();
      await down;
      expect(changeFeed().live).toBe(false);
    },
    TIMEOUT_MS,
  );
});
