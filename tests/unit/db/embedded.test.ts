// The embedded database (lib/db/embedded.ts + lib/db/pglite-server.ts) in a temporary data
// directory: migrations, persistence across a restart and across kill -9, one server per directory,
// who may connect and what they may change (issue 15), and where the socket goes when the data
// directory's path is too long for one. Every child started here is stopped by its pid in
// afterAll, whatever the test outcome.
import { execFile, execFileSync, spawn } from "node:child_process";
import {
  chmodSync,
  cpSync,
  existsSync,
  lstatSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  statSync,
} from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb } from "@/lib/db/client";
import { type EmbeddedDatabase, runningEmbeddedDatabaseUrl, startEmbeddedDatabase } from "@/lib/db/embedded";
import { applyMigrations } from "@/lib/db/migrate";
import { LOCK_FILE, SOCKET_DIR, SOCKET_FILE } from "@/lib/db/pglite-files";

// First start of a new directory runs initdb (2.5–6 s alone on 2 cores, more beside other tests).
const TEST_TIMEOUT_MS = 120_000;
const IS_ROOT = process.getuid?.() === 0;
const NOBODY = 65_534;

let rootDir: string;
/** Created by the embedded database itself (not by mkdtemp, which makes directories 0700). */
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

/** Everything under `dir` (and `dir` itself) that its group or other users may access. */
function openToOthers(dir: string): string[] {
  const found = (statSync(dir).mode & 0o077) === 0 ? [] : [dir];
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    const file = path.join(entry.parentPath, entry.name);
    const { mode } = lstatSync(file);
    if ((mode & 0o077) !== 0) found.push(`${file} (${(mode & 0o777).toString(8)})`);
  }
  return found;
}

/** The TCP ports `pid` listens on (Linux: its socket inodes matched against /proc/net/tcp*). */
function listeningTcpPorts(pid: number): number[] {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    const target = (() => {
      try {
        return readlinkSync(`/proc/${pid}/fd/${fd}`);
      } catch {
        return "";
      }
    })();
    const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
    if (inode) inodes.add(inode);
  }
  const ports: number[] = [];
  for (const table of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    for (const line of readFileSync(table, "utf8").split("\n").slice(1)) {
      const fields = line.trim().split(/\s+/);
      // local_address is "<hex ip>:<hex port>"; state 0A is LISTEN; field 9 is the inode.
      if (fields[3] === "0A" && inodes.has(fields[9] ?? "")) {
        ports.push(Number.parseInt(fields[1]?.split(":")[1] ?? "", 16));
      }
    }
  }
  return ports;
}

/** The socket directory named in the URL's `host` parameter. */
function socketDirOf(url: string): string {
  const host = new URL(url).searchParams.get("host");
  if (!host) throw new Error("no socket directory in the URL");
  return host;
}

/** Runs `code` in a Node process as the user nobody; resolves with what it printed. */
function runAsNobody(code: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ["-e", code],
      {
        uid: NOBODY,
        gid: NOBODY,
        cwd: "/",
        timeout: 30_000,
      },
      (error, stdout, stderr) =>
        error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout.trim()),
    );
  });
}

beforeAll(async () => {
  rootDir = await mkdtemp(path.join(os.tmpdir(), "keyward-embedded-"));
  dataDir = path.join(rootDir, "data");
});

afterAll(async () => {
  await Promise.allSettled([...started].map((database) => database.stop()));
  await rm(rootDir, { recursive: true, force: true });
}, TEST_TIMEOUT_MS);

// One sequence: each step needs the directory the previous one left behind. Starting a server is
// the slow part (a Node child loading PGlite; 5–25 s under load), so a server is started only
// where the step is about starting, restarting or stopping it: the steps that only observe a
// running server share `running`, started by the restart step and ended by kill -9.
describe.sequential("embedded database", () => {
  let auditEventId: bigint;
  /** The server the observing steps share: from the restart step to the kill -9 step. */
  let running: EmbeddedDatabase;
  /** The server the kill -9 step restarts: the lock step reads where it listens, then stops it. */
  let restarted: EmbeddedDatabase;

  it(
    "starts on a new directory, applies the migrations and stores a row",
    async () => {
      const database = await start();
      expect(database.url).toMatch(/^postgresql:\/\/postgres@localhost:5432\/postgres\?host=/);
      expect(socketDirOf(database.url)).toBe(path.join(dataDir, "pglite-socket"));
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

      // Issue 15: created 0700, and nothing PGlite wrote (initdb, migrations, rows) is open to
      // group or others.
      expect(statSync(dataDir).mode & 0o777).toBe(0o700);
      expect(openToOthers(dataDir)).toEqual([]);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    "keeps the row across a restart and does not reapply migrations",
    async () => {
      // Left running for the steps below that only observe a running server.
      running = await start();
      expect(await applyMigrations(running.url)).toEqual([]);
      const client = createDb(running.url, 1);
      try {
        const event = await client.auditEvent.findUnique({ where: { id: auditEventId } });
        expect(event).toMatchObject({ action: "test.embedded", details: { step: 1 } });
      } finally {
        await client.$disconnect();
      }
    },
    TEST_TIMEOUT_MS,
  );

  it(
    "refuses a second server on the same directory",
    async () => {
      await expect(startEmbeddedDatabase({ dataDir })).rejects.toThrow(
        /already served by an embedded database/,
      );
      // The refused attempt must not have disturbed the running one.
      expect(isRunning(running.pid)).toBe(true);
      const client = createDb(running.url, 1);
      try {
        expect(await client.auditEvent.count()).toBe(1);
      } finally {
        await client.$disconnect();
      }
    },
    TEST_TIMEOUT_MS,
  );

  it(
    "listens on no TCP port, only on a Unix socket in a 0700 directory, where its owner needs no password",
    async () => {
      if (process.platform === "linux") expect(listeningTcpPorts(running.pid)).toEqual([]);
      const socketDir = socketDirOf(running.url);
      expect(statSync(socketDir).mode & 0o777).toBe(0o700);
      const socket = lstatSync(path.join(socketDir, SOCKET_FILE));
      expect(socket.isSocket()).toBe(true);
      expect(socket.mode & 0o777).toBe(0o600);

      const client = new pg.Client({ connectionString: running.url });
      await client.connect();
      try {
        expect((await client.query("SELECT current_user AS who")).rows).toEqual([{ who: "postgres" }]);
      } finally {
        await client.end();
      }
    },
    TEST_TIMEOUT_MS,
  );

  it.skipIf(!IS_ROOT)(
    "keeps other local users out: they can neither connect nor read the lock or the socket's directory",
    async () => {
      const socketDir = socketDirOf(running.url);
      const socketPath = path.join(socketDir, SOCKET_FILE);
      const lockPath = path.join(dataDir, "pglite.lock");
      // Even with the directories above opened for traversal (mkdtemp made ours 0700; a careless
      // chmod of the data directory), the socket's own 0700 directory and the 0600 lock file turn
      // them away. The first line proves they got that far: they can see the lock file exists.
      chmodSync(rootDir, 0o711);
      chmodSync(dataDir, 0o711);
      try {
        const outcome = await runAsNobody(
          [
            `const net = require("node:net"), fs = require("node:fs");`,
            `const code = (f) => { try { f(); return "ok"; } catch (e) { return e.code; } };`,
            `console.log("lock exists", fs.existsSync(${JSON.stringify(lockPath)}));`,
            `console.log("read lock", code(() => fs.readFileSync(${JSON.stringify(lockPath)})));`,
            `console.log("list socket dir", code(() => fs.readdirSync(${JSON.stringify(socketDir)})));`,
            `const s = net.connect(${JSON.stringify(socketPath)});`,
            `s.on("connect", () => { console.log("connect ok"); s.destroy(); });`,
            `s.on("error", (e) => console.log("connect", e.code));`,
          ].join("\n"),
        );
        expect(outcome.split("\n")).toEqual([
          "lock exists true",
          "read lock EACCES",
          "list socket dir EACCES",
          "connect EACCES",
        ]);
      } finally {
        chmodSync(dataDir, 0o700);
        chmodSync(rootDir, 0o700);
      }
    },
    TEST_TIMEOUT_MS,
  );

  it(
    "refuses session-level changes with an error: the connection stays usable and another client's write succeeds",
    async () => {
      const a = new pg.Client({ connectionString: running.url });
      // Startup parameters are session settings too: PGlite does not apply them to its session.
      const c = new pg.Client({
        connectionString: running.url,
        options: "-c default_transaction_read_only=on",
      });
      const b = createDb(running.url, 1);
      await a.connect();
      await c.connect();
      try {
        // The case: one client's SET made every write of the server fail.
        await expect(a.query("SET default_transaction_read_only = on")).rejects.toMatchObject({
          code: "0A000",
          message: expect.stringMatching(/^SET is refused: all connections .* share one PostgreSQL session/),
          hint: expect.stringContaining("SET LOCAL"),
        });
        expect((await a.query("SELECT 1 AS one")).rows).toEqual([{ one: 1 }]);
        const written = await b.auditEvent.create({
          data: { actor: "system", action: "session.write", targetType: "test" },
        });

        for (const sql of [
          "SET SESSION statement_timeout = 1",
          "SET ROLE postgres",
          "SET SESSION AUTHORIZATION postgres",
          "RESET ALL",
          "DISCARD ALL",
          "LISTEN changes",
          "SELECT set_config('default_transaction_read_only', 'on', false)",
        ]) {
          await expect(a.query(sql), sql).rejects.toMatchObject({ code: "0A000" });
        }
        // The extended protocol (a Parse with parameters) is screened too; the Bind still fits.
        await expect(
          a.query("SELECT set_config($1, $2, false)", ["default_transaction_read_only", "on"]),
        ).rejects.toMatchObject({ code: "0A000" });

        // Inside a transaction, SET LOCAL is allowed and ends with it; a refused SET aborts the
        // transaction, as any error does in PostgreSQL.
        await a.query("BEGIN");
        await a.query("SET LOCAL statement_timeout = '5s'");
        await a.query("SELECT set_config('application_name', 'local', true)");
        expect((await a.query("SHOW statement_timeout")).rows).toEqual([{ statement_timeout: "5s" }]);
        await a.query("COMMIT");
        expect((await a.query("SHOW statement_timeout")).rows).toEqual([{ statement_timeout: "0" }]);
        await a.query("BEGIN");
        await expect(a.query("SET statement_timeout = 1")).rejects.toMatchObject({ code: "0A000" });
        await expect(a.query("SELECT 1")).rejects.toMatchObject({ code: "25P02" });
        await a.query("ROLLBACK");

        // Nothing leaked: the others still write, in Prisma's interactive transactions too.
        expect((await c.query("SHOW default_transaction_read_only")).rows).toEqual([
          { default_transaction_read_only: "off" },
        ]);
        await c.query(`DELETE FROM "AuditEvent" WHERE id = $1`, [written.id]);
        const count = await b.$transaction(
          async (tx) => {
            await tx.auditEvent.create({
              data: { actor: "system", action: "session.write", targetType: "test" },
            });
            return tx.auditEvent.count({ where: { action: "session.write" } });
          },
          { isolationLevel: "Serializable" },
        );
        expect(count).toBe(1);
      } finally {
        await a.end();
        await c.end();
        await b.$disconnect();
      }
    },
    TEST_TIMEOUT_MS,
  );

  it(
    "survives kill -9: the stale lock is taken over and committed rows are kept",
    async () => {
      const client = createDb(running.url, 1);
      try {
        await client.auditEvent.create({
          data: { actor: "system", action: "test.before-kill", targetType: "test" },
        });
      } finally {
        await client.$disconnect();
      }
      process.kill(running.pid, "SIGKILL");
      await waitForExit(running.pid);
      await stop(running); // already gone: returns at once

      // Left running for the next step, which reads where it listens and stops it.
      restarted = await start();
      expect(await applyMigrations(restarted.url)).toEqual([]);
      const after = createDb(restarted.url, 1);
      try {
        expect(await after.auditEvent.count({ where: { action: { startsWith: "test." } } })).toBe(2);
      } finally {
        await after.$disconnect();
      }
    },
    TEST_TIMEOUT_MS,
  );

  it(
    "tells other local processes (the CLI) where it listens, and stops telling when it stops",
    async () => {
      expect(runningEmbeddedDatabaseUrl(dataDir)).toBe(restarted.url);
      await stop(restarted);
      expect(runningEmbeddedDatabaseUrl(dataDir)).toBeNull();
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

  it(
    "keeps the data directory to its owner, also one an earlier version left open",
    async () => {
      // As Keyward before issue 15 left it: the directory 0755, PGlite's files 0666.
      execFileSync("chmod", ["-R", "go+rwX", dataDir]);
      expect(openToOthers(dataDir).length).toBeGreaterThan(900);

      const database = await start();
      try {
        expect(openToOthers(dataDir)).toEqual([]); // including the lock file and the socket
        // Files PGlite creates while it runs (a new table's relation files) are 0600 too.
        const client = new pg.Client({ connectionString: database.url });
        await client.connect();
        await client.query(
          "CREATE TABLE permissions_probe (x int PRIMARY KEY); INSERT INTO permissions_probe VALUES (1)",
        );
        await client.query("DROP TABLE permissions_probe; CHECKPOINT");
        await client.end();
        expect(openToOthers(dataDir)).toEqual([]);
      } finally {
        await stop(database);
      }
    },
    TEST_TIMEOUT_MS,
  );
});

describe("embedded database in a data directory with a long path", () => {
  it(
    "puts its socket in a private temporary directory instead, and removes it at stop",
    async () => {
      // Past the kernel's ~107-byte limit for a socket path once pglite-socket/.s.PGSQL.5432 is added.
      const longDataDir = path.join(rootDir, "long".repeat(20), "data");
      // Where the socket goes is the point here, not initdb (the first step covers that): start
      // from a copy of the directory the sequence above left stopped, which saves a second initdb
      // (the slowest start by far, 15–60 s under load). Run alone, this starts on a new directory.
      if (existsSync(path.join(dataDir, "pglite"))) {
        cpSync(dataDir, longDataDir, {
          recursive: true,
          filter: (source) => ![SOCKET_DIR, LOCK_FILE].includes(path.basename(source)),
        });
      }
      const database = await startEmbeddedDatabase({ dataDir: longDataDir });
      started.add(database);
      const socketDir = socketDirOf(database.url);
      try {
        expect(path.dirname(socketDir)).toBe(os.tmpdir());
        expect(statSync(socketDir).mode & 0o777).toBe(0o700);
        expect(runningEmbeddedDatabaseUrl(longDataDir)).toBe(database.url);
        const client = new pg.Client({ connectionString: database.url });
        await client.connect();
        try {
          expect((await client.query("SELECT 1 AS one")).rows).toEqual([{ one: 1 }]);
        } finally {
          await client.end();
        }
      } finally {
        await stop(database);
      }
      expect(existsSync(socketDir)).toBe(false);
    },
    TEST_TIMEOUT_MS,
  );
});
