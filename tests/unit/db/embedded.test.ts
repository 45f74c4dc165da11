// The embedded database (lib/db/embedded.ts + lib/db/pglite-server.ts) in a temporary data
// directory: migrations, persistence across a restart and across kill -9, one server per directory.
// Every child started here is stopped by its pid in afterAll, whatever the test outcome.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb } from "@/lib/db/client";
import { type EmbeddedDatabase, runningEmbeddedDatabaseUrl, startEmbeddedDatabase } from "@/lib/db/embedded";
import { applyMigrations } from "@/lib/db/migrate";

// First start of a new directory runs initdb (2.5–6 s alone on 2 cores, more beside other tests).
const TEST_TIMEOUT_MS = 120_000;

let dataDir: string;
const started = new Set<EmbeddedDatabase>();

async function start(): Promise<EmbeddedDatabase> {
  const database = await startEmbeddedDatabase({ dataDir });
  started.add(database);
  return database;
}

async function stop(database: EmbeddedDatabase): Promise<void> {
  await database.stop();
  started.delete(database);
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Resolves once `pid` is gone (signals are asynchronous); the server allows itself 10 s to stop. */
async function waitForExit(pid: number, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (isRunning(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  expect(isRunning(pid)).toBe(false);
}

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), "keyward-embedded-"));
});

afterAll(async () => {
  await Promise.allSettled([...started].map((database) => database.stop()));
  await rm(dataDir, { recursive: true, force: true });
}, TEST_TIMEOUT_MS);

// One sequence: each step needs the directory the previous one left behind.
describe.sequential("embedded database", () => {
  let auditEventId: bigint;

  it(
    "starts on a new directory, applies the migrations and stores a row",
    async () => {
      const database = await start();
      expect(database.url).toMatch(/^postgresql:\/\/[^@]+@127\.0\.0\.1:\d+\/postgres$/);
      expect(isRunning(database.pid)).toBe(true);

      const applied = await applyMigrations(database.url);
      expect(applied.length).toBeGreaterThan(0);
      expect(applied.at(-1)).toMatch(/^\d{14}_\w+$/);

      // Two pool connections at once: the socket server must accept more than one.
      const client = createDb(database.url, 2);
      try {
        const [event] = await Promise.all([
          client.auditEvent.create({
            data: { actor: "system", action: "test.embedded", targetType: "test", details: { step: 1 } },
          }),
          client.auditEvent.count(),
        ]);
        auditEventId = event.id;
      } finally {
        await client.$disconnect();
      }

      await stop(database);
      expect(isRunning(database.pid)).toBe(false);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    "keeps the row across a restart and does not reapply migrations",
    async () => {
      const database = await start();
      expect(await applyMigrations(database.url)).toEqual([]);
      const client = createDb(database.url, 1);
      try {
        const event = await client.auditEvent.findUnique({ where: { id: auditEventId } });
        expect(event).toMatchObject({ action: "test.embedded", details: { step: 1 } });
      } finally {
        await client.$disconnect();
      }
      await stop(database);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    "tells other local processes (the CLI) where it listens, and stops telling when it stops",
    async () => {
      const database = await start();
      expect(runningEmbeddedDatabaseUrl(dataDir)).toBe(database.url);
      await stop(database);
      expect(runningEmbeddedDatabaseUrl(dataDir)).toBeNull();
    },
    TEST_TIMEOUT_MS,
  );

  it(
    "refuses a second server on the same directory",
    async () => {
      const database = await start();
      await expect(startEmbeddedDatabase({ dataDir })).rejects.toThrow(
        /already served by an embedded database/,
      );
      // The refused attempt must not have disturbed the running one.
      const client = createDb(database.url, 1);
      try {
        expect(await client.auditEvent.count()).toBe(1);
      } finally {
        await client.$disconnect();
      }
      await stop(database);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    "survives kill -9: the stale lock is taken over and committed rows are kept",
    async () => {
      const database = await start();
      const client = createDb(database.url, 1);
      try {
        await client.auditEvent.create({
          data: { actor: "system", action: "test.before-kill", targetType: "test" },
        });
      } finally {
        await client.$disconnect();
      }
      process.kill(database.pid, "SIGKILL");
      await waitForExit(database.pid);
      await stop(database); // already gone: returns at once

      const restarted = await start();
      expect(await applyMigrations(restarted.url)).toEqual([]);
      const after = createDb(restarted.url, 1);
      try {
        expect(await after.auditEvent.count({ where: { action: { startsWith: "test." } } })).toBe(2);
      } finally {
        await after.$disconnect();
      }
      await stop(restarted);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    "stops when the process that started it is killed",
    async () => {
      // A parent of its own, so that it can be killed without killing the test runner.
      const embeddedModule = pathToFileURL(
        path.resolve(import.meta.dirname, "../../../lib/db/embedded.ts"),
      ).href;
      const parentCode = [
        `const { startEmbeddedDatabase } = await import(${JSON.stringify(embeddedModule)});`,
        `const database = await startEmbeddedDatabase({ dataDir: ${JSON.stringify(dataDir)} });`,
        "console.log(JSON.stringify({ pid: database.pid }));",
        "setInterval(() => {}, 1000);",
      ].join("\n");
      const tsx = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;
      const parent = spawn(process.execPath, ["--import", tsx, "--input-type=module", "-e", parentCode], {
        stdio: ["ignore", "pipe", "inherit"],
      });
      let childPid: number | undefined;
      try {
        childPid = await new Promise<number>((resolve, reject) => {
          let output = "";
          parent.stdout.on("data", (chunk: Buffer) => {
            output += chunk.toString();
            const match = /\{"pid":(\d+)\}/.exec(output);
            if (match) resolve(Number(match[1]));
          });
          parent.once("exit", (code) => reject(new Error(`parent exited early (${code}): ${output}`)));
        });
        expect(isRunning(childPid)).toBe(true);
        parent.kill("SIGKILL");
        await waitForExit(childPid);
        // It shut down cleanly (not killed): it released its lock.
        expect(existsSync(path.join(dataDir, "pglite.lock"))).toBe(false);
      } finally {
        parent.kill("SIGKILL");
        if (childPid !== undefined && isRunning(childPid)) process.kill(childPid, "SIGKILL");
      }
    },
    TEST_TIMEOUT_MS,
  );
});
