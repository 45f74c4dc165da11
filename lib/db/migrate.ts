// Applies and creates Prisma migrations without the native schema engine.
//
// Why not the prisma CLI: every `prisma migrate` command first downloads the native schema-engine
// binary from Prisma's own host, which these machines cannot reach, and no npm package ships it
// (STACK.md "Prisma 7 here"). Prisma's schema engine compiled to WebAssembly
// (@prisma/schema-engine-wasm, the exact build that matches prisma 7.10) does the same work
// through a driver adapter, here @prisma/adapter-pg. It reads the standard
// prisma/migrations/<timestamp>_<name>/migration.sql folders and keeps the standard
// `_prisma_migrations` table, so a machine that has the native engine can still run
// `prisma migrate deploy` on the same history.
//
// The engine leaves a timer running after it is freed: a process that only migrates must call
// process.exit itself (scripts/db.ts does).
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { PrismaPg } from "@prisma/adapter-pg";
import {
  bindMigrationAwareSqlAdapterFactory,
  type ErrorCapturingSqlMigrationAwareDriverAdapterFactory,
  type IsolationLevel,
  type SqlDriverAdapter,
  type SqlMigrationAwareDriverAdapterFactory,
  type SqlQuery,
} from "@prisma/driver-adapter-utils";
import type { CreateMigrationOutput, MigrationList, SchemaEngine } from "@prisma/schema-engine-wasm";
import pg from "pg";
import { env } from "@/lib/env";

const PROJECT_ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const MIGRATIONS_DIR = path.join(PROJECT_ROOT, "prisma", "migrations");
export const SCHEMA_PATH = path.join(PROJECT_ROOT, "prisma", "schema.prisma");

// The file names the prisma CLI uses (packages/migrate, `listMigrations` and `writeMigrationLockfile`);
// keeping them makes the folders interchangeable with `prisma migrate deploy`.
const LOCKFILE_NAME = "migration_lock.toml";
const MIGRATION_FILE_NAME = "migration.sql";

// PostgreSQL type OIDs (src/include/catalog/pg_type.dat).
const CHAR_OID = 18; // the one-byte internal `"char"` of the catalogs (pg_class.relkind, pg_constraint.contype…)
const TEXT_OID = 25;

// `<timestamp>_<name>` becomes a directory name; keep it portable and shell-safe.
const MIGRATION_NAME_PATTERN = /^[A-Za-z0-9_]{1,100}$/;

/** Where the migrations and the schema are; the project's own by default (tests point elsewhere). */
export interface MigrationPaths {
  migrationsDir?: string;
  schemaPath?: string;
}

/** A migration command failed; `message` is meant for the operator (engine error codes kept, e.g. P3009). */
export class MigrationError extends Error {
  override readonly name = "MigrationError";
}

/**
 * Applies every folder of prisma/migrations that the database has not recorded in
 * `_prisma_migrations`, in name order, each in its own transaction. Returns the names applied
 * (empty when the database was up to date). Works on PostgreSQL and on PGlite served by
 * pglite-socket (lib/db/embedded.ts).
 */
export async function applyMigrations(
  databaseUrl: string,
  paths: Pick<MigrationPaths, "migrationsDir"> = {},
): Promise<string[]> {
  const migrationsList = await readMigrationsList(paths.migrationsDir ?? MIGRATIONS_DIR);
  // No datamodel: applying needs only the migration folders, not the current schema.
  const { appliedMigrationNames } = await withSchemaEngine(databaseUrl, undefined, (engine) =>
    engine.applyMigrations({ migrationsList, filters: NO_FILTERS }),
  );
  return appliedMigrationNames;
}

/**
 * Diffs prisma/schema.prisma against the end state of prisma/migrations and writes the
 * difference as prisma/migrations/<timestamp>_<name>/migration.sql (plus migration_lock.toml).
 * Returns the new folder's path, or null when the schema adds nothing. Applies nothing.
 *
 * `databaseUrl` is only used to reach the server: the database it names is not read or changed.
 * Everything happens in two throw-away databases created next to it, so it must be a real
 * PostgreSQL whose user may CREATE DATABASE (PGlite serves a single database).
 */
export async function createMigration(
  databaseUrl: string,
  name: string,
  paths: MigrationPaths = {},
): Promise<string | null> {
  const { migrationsDir = MIGRATIONS_DIR, schemaPath = SCHEMA_PATH } = paths;
  if (!MIGRATION_NAME_PATTERN.test(name)) {
    throw new MigrationError(
      `Invalid migration name "${name}": use 1 to 100 letters, digits or underscores (e.g. add_crl_table).`,
    );
  }
  const schema = { files: [{ path: schemaPath, content: await readFile(schemaPath, "utf8") }] };
  const datamodels = schema.files.map((f): [string, string] => [f.path, f.content]);
  const migrationsList = await readMigrationsList(migrationsDir);

  // Why the detour: the Wasm engine's createMigration cannot open a shadow database; it only
  // reuses the migration-history schema that devDiagnostic cached in the same engine instance,
  // and devDiagnostic caches it for the migrations *applied to the main database*. So the main
  // database must hold the whole history. We replay it into a scratch database (rather than
  // applying pending migrations to the caller's database, as `prisma migrate dev --create-only`
  // would) so that creating a migration has no side effect and cannot trip on a drifted dev DB.
  const base = await createTemporaryDatabase(databaseUrl, "keyward_migrate_base");
  let output: CreateMigrationOutput;
  try {
    output = await withSchemaEngine(base.url, datamodels, async (engine) => {
      await engine.applyMigrations({ migrationsList, filters: NO_FILTERS });
      // Replays the history in the shadow database our factory provides, checks every folder
      // applies cleanly (a broken one throws here) and fills the cache createMigration reads.
      const { action } = await engine.devDiagnostic({ migrationsList, filters: NO_FILTERS });
      if (action.tag === "reset") {
        throw new MigrationError(`prisma/migrations cannot be replayed cleanly:\n${action.reason}`);
      }
      return engine.createMigration({
        draft: false,
        migrationName: name,
        migrationsList,
        schema,
        filters: NO_FILTERS,
      });
    });
  } finally {
    await base.drop();
  }
  if (output.migrationScript === null) return null;

  const dir = path.join(migrationsDir, output.generatedMigrationName);
  // Not recursive for the last level: an existing folder of the same name must not be overwritten.
  await mkdir(migrationsDir, { recursive: true });
  await mkdir(dir);
  await writeFile(path.join(dir, `migration.${output.extension}`), output.migrationScript, "utf8");
  // Same text as the prisma CLI writes, so either tool accepts the other's folder.
  await writeFile(
    path.join(migrationsDir, LOCKFILE_NAME),
    "# Please do not edit this file manually\n" +
      "# It should be added in your version-control system (e.g., Git)\n" +
      `provider = "${output.connectorType}"\n`,
    "utf8",
  );
  return dir;
}

// ---------------------------------------------------------------------------------------------
// Migration folders

const NO_FILTERS = { externalTables: [], externalEnums: [] };

/** The folders in the shape the engine takes (same as prisma's `listMigrations`). */
/** The names of the migration folders this build ships (what a database must have applied). */
export async function listMigrationNames(migrationsDir = MIGRATIONS_DIR): Promise<string[]> {
  return (await readMigrationsList(migrationsDir)).migrationDirectories.map((d) => d.path);
}

async function readMigrationsList(baseDir: string): Promise<MigrationList> {
  const lockfileContent = await readFile(path.join(baseDir, LOCKFILE_NAME), "utf8").catch(() => null);
  const entries = await readdir(baseDir, { withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return [];
    throw error;
  });
  const folders = entries
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort((a, b) => a.localeCompare(b));
  const migrationDirectories = await Promise.all(
    folders.map(async (folder) => ({
      path: folder,
      migrationFile: {
        path: MIGRATION_FILE_NAME,
        // A folder without migration.sql is reported by the engine with this message.
        content: await readFile(path.join(baseDir, folder, MIGRATION_FILE_NAME), "utf8").then(
          (value) => ({ tag: "ok" as const, value }),
          (error: Error) => ({ tag: "error" as const, value: error.message }),
        ),
      },
    })),
  );
  return {
    baseDir,
    lockfile: { path: LOCKFILE_NAME, content: lockfileContent },
    shadowDbInitScript: "",
    migrationDirectories,
  };
}

// ---------------------------------------------------------------------------------------------
// The engine

type SchemaEngineClass = typeof SchemaEngine;
let engineClass: Promise<SchemaEngineClass> | undefined;

/**
 * Instantiates the WebAssembly module once per process. The package's own entry point imports
 * the .wasm file as an ES module, which Node 20 does not support without a flag, so we wire the
 * wasm-bindgen glue by hand the way @prisma/internals does (`wasmSchemaEngineLoader`). Once only:
 * wasm-bindgen caches its instance and a second instantiation breaks it.
 */
function loadSchemaEngine(): Promise<SchemaEngineClass> {
  engineClass ??= (async () => {
    const runtime = await import("@prisma/schema-engine-wasm/schema_engine_bg");
    const gluePath = createRequire(import.meta.url).resolve("@prisma/schema-engine-wasm/schema_engine_bg");
    const bytes = await readFile(path.join(path.dirname(gluePath), "schema_engine_bg.wasm"));
    const { instance } = await WebAssembly.instantiate(bytes, { "./schema_engine_bg.js": runtime });
    runtime.__wbg_set_wasm(instance.exports);
    (instance.exports.__wbindgen_start as () => void)();
    return runtime.SchemaEngine;
  })().catch((error: unknown) => {
    engineClass = undefined;
    throw error;
  });
  return engineClass;
}

async function withSchemaEngine<T>(
  databaseUrl: string,
  datamodels: [string, string][] | undefined,
  run: (engine: SchemaEngine) => Promise<T>,
): Promise<T> {
  const SchemaEngineClass = await loadSchemaEngine();
  const connections = new MigrationConnectionFactory(databaseUrl);
  const adapterFactory = bindMigrationAwareSqlAdapterFactory(connections);
  try {
    let engine: SchemaEngine;
    try {
      engine = await SchemaEngineClass.new({ datamodels }, logEngineMessage, adapterFactory);
    } catch (error) {
      throw toMigrationError(error, adapterFactory);
    }
    try {
      return await run(engine);
    } catch (error) {
      throw toMigrationError(error, adapterFactory);
    } finally {
      engine.free();
    }
  } finally {
    // The engine does not always dispose what it opened; an open pg pool would keep the
    // process (and the embedded database's connection slots) busy.
    await connections.closeAll();
  }
}

/** The engine's tracing output; only shown when asked for, like prisma's DEBUG=prisma:schemaEngine. */
function logEngineMessage(message: string): void {
  if (env().KEYWARD_MIGRATE_DEBUG) process.stderr.write(`[schema-engine] ${message}\n`);
}

/**
 * Turns what the engine throws into a MigrationError with a message for operators.
 *
 * Failures of our JavaScript side that the adapter could not classify reach the engine as an id
 * into the factory's error registry; we hand back the original error. Engine errors carry a
 * Prisma code when they have one (P3009…) and end in a Rust span trace: the trace stays in
 * `cause`, the message keeps the text and the name of the migration that failed.
 */
function toMigrationError(
  error: unknown,
  factory: ErrorCapturingSqlMigrationAwareDriverAdapterFactory,
): MigrationError {
  if (error instanceof MigrationError) return error;
  const id = (error as { id?: unknown } | null)?.id;
  const registered = typeof id === "number" ? factory.errorRegistry.consumeError(id)?.error : undefined;
  const cause = registered ?? error;
  const code = (cause as { code?: unknown } | null)?.code;
  const full = cause instanceof Error ? cause.message : String(cause);
  const [text = full, trace = ""] = full.split(/\n\s+0: /, 2);
  const migration = /Applying migration\s+with migration_name="([^"]+)"/.exec(trace)?.[1];
  let message = typeof code === "string" && !text.includes(code) ? `${code}: ${text}` : text;
  if (migration) message = `Migration ${migration} failed: ${message}`;
  return new MigrationError(message.trim(), { cause });
}

// ---------------------------------------------------------------------------------------------
// Connections: adapter-pg plus the fixes the engine needs (STACK.md "Prisma 7 here")

/**
 * A pg client whose results describe PostgreSQL's internal `"char"` columns as text.
 *
 * Why: the engine's catalog queries (pg_class.relkind, pg_constraint.contype, …) return `"char"`
 * (OID 18), a type adapter-pg does not map and rejects with "Unsupported column type CHAR". Its
 * values already arrive as one-character strings (pg has no parser for OID 18), so only the
 * column's type id needs to change for the adapter to hand them over as text. Overrides the
 * public `query` (promise and callback forms, which are what pg.Pool and adapter-pg use) rather
 * than pg internals.
 */
class CharAsTextClient extends pg.Client {
  // biome-ignore lint/suspicious/noExplicitAny: re-dispatches pg's overloaded query() unchanged.
  override query(config: any, values?: any, callback?: any): any {
    if (typeof values === "function") return super.query(config, retypeCallback(values));
    if (typeof callback === "function") return super.query(config, values, retypeCallback(callback));
    const result = super.query(config, values);
    return typeof result?.then === "function" ? result.then(retypeCharColumns) : result;
  }
}

type QueryCallback = (error: Error | null, result: unknown) => void;

function retypeCallback(callback: QueryCallback): QueryCallback {
  return (error, result) => callback(error, error ? result : retypeCharColumns(result));
}

function retypeCharColumns<T>(result: T): T {
  // A multi-statement simple query resolves to one result per statement.
  for (const one of Array.isArray(result) ? result : [result]) {
    for (const field of (one as Partial<pg.QueryResult> | undefined)?.fields ?? []) {
      if (field.dataTypeID === CHAR_OID) field.dataTypeID = TEXT_OID;
    }
  }
  return result;
}

/**
 * The connection factory the engine drives: the main database, and a shadow database on the
 * same server when devDiagnostic replays the migration history.
 *
 * Why our own shadow database instead of adapter-pg's `connectToShadowDb` (7.10.1):
 * - it drops the shadow database *before* closing the pool connected to it, so the DROP fails
 *   with "database … is being accessed by other users" and the shadow database is left behind;
 * - it never closes the pool it used for CREATE/DROP;
 * - it points its pool at the shadow database with `{ ...config, database }`, but pg lets a
 *   `connectionString` override `database`, so with a URL config (ours) the "shadow" pool is
 *   the main database, which the engine resets before replaying the history into it.
 * Here the shadow pool gets the shadow database's own URL and is closed before the database is
 * dropped (see createTemporaryDatabase).
 */
class MigrationConnectionFactory implements SqlMigrationAwareDriverAdapterFactory {
  readonly provider = "postgres";
  readonly adapterName = "@prisma/adapter-pg";
  private readonly open = new Set<EngineConnection>();

  constructor(private readonly databaseUrl: string) {}

  async connect(): Promise<SqlDriverAdapter> {
    return this.track(await connectPg(this.databaseUrl), async () => {});
  }

  async connectToShadowDb(): Promise<SqlDriverAdapter> {
    // Same prefix as prisma's, so a shadow database left by a killed process is recognisable.
    const shadow = await createTemporaryDatabase(this.databaseUrl, "prisma_migrate_shadow_db");
    try {
      return this.track(await connectPg(shadow.url), shadow.drop);
    } catch (error) {
      await shadow.drop();
      throw error;
    }
  }

  /** Closes whatever the engine left open (idempotent with the engine's own dispose calls). */
  async closeAll(): Promise<void> {
    await Promise.allSettled([...this.open].map((adapter) => adapter.dispose()));
  }

  private track(inner: SqlDriverAdapter, afterDispose: () => Promise<void>): SqlDriverAdapter {
    const adapter = new EngineConnection(inner, async () => {
      try {
        await inner.dispose();
        await afterDispose();
      } finally {
        this.open.delete(adapter);
      }
    });
    this.open.add(adapter);
    return adapter;
  }
}

function connectPg(url: string): Promise<SqlDriverAdapter> {
  // `Client` is pg.Pool's hook for a custom client class; adapter-pg hands its config to the pool.
  return new PrismaPg({ connectionString: url, Client: CharAsTextClient }).connect();
}

/**
 * Creates an empty database on the server of `serverUrl`; `drop` removes it. The caller closes
 * its own connections to it first; `WITH (FORCE)` (PostgreSQL 13+) then ends any backend still
 * on its way out, which a plain DROP would trip over.
 */
async function createTemporaryDatabase(
  serverUrl: string,
  prefix: string,
): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `${prefix}_${crypto.randomUUID().replaceAll("-", "")}`;
  await runAdminStatement(serverUrl, `CREATE DATABASE "${name}"`).catch((error: Error) => {
    throw new MigrationError(
      `Cannot create the temporary database ${name} (${error.message}). Creating a migration needs ` +
        "DATABASE_URL to point at a real PostgreSQL server whose user may CREATE DATABASE.",
      { cause: error },
    );
  });
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () => runAdminStatement(serverUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
  };
}

/** One statement on its own connection: CREATE/DROP DATABASE cannot run inside a transaction. */
async function runAdminStatement(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/**
 * Delegates to an adapter-pg adapter, with two changes: executeScript keeps scripts whole, and
 * `dispose` runs its cleanup once however often it is called.
 */
class EngineConnection implements SqlDriverAdapter {
  readonly provider: SqlDriverAdapter["provider"];
  readonly adapterName: string;
  private disposing: Promise<void> | undefined;

  constructor(
    private readonly inner: SqlDriverAdapter,
    private readonly cleanup: () => Promise<void>,
  ) {
    this.provider = inner.provider;
    this.adapterName = inner.adapterName;
  }

  queryRaw(query: SqlQuery) {
    return this.inner.queryRaw(query);
  }
  executeRaw(query: SqlQuery) {
    return this.inner.executeRaw(query);
  }
  /**
   * Runs the whole script as one simple-protocol query, as the native engine does: PostgreSQL
   * then executes it as one implicit transaction, so a failing migration leaves nothing behind.
   * Why not adapter-pg's executeScript: it splits the script on every ";" (string literals and
   * function bodies included) and runs the pieces one by one on whichever pooled connection is free.
   * An empty parameter list keeps pg on the simple protocol, which accepts several statements.
   */
  async executeScript(script: string): Promise<void> {
    await this.inner.executeRaw({ sql: script, args: [], argTypes: [] });
  }
  startTransaction(isolationLevel?: IsolationLevel) {
    return this.inner.startTransaction(isolationLevel);
  }
  getConnectionInfo() {
    return this.inner.getConnectionInfo?.() ?? { supportsRelationJoins: true };
  }
  dispose(): Promise<void> {
    this.disposing ??= this.cleanup();
    return this.disposing;
  }
}
