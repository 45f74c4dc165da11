// The storage half of backup and restore (issue 17 item 4): a consistent snapshot of every table
// of Keyward's schema, and loading one into a database. No archive format and no rules here
// (lib/ops/backup.ts): rows travel as the JSON text PostgreSQL itself writes (row_to_json) and
// reads back (json_populate_recordset), so every column type (bytea, timestamp(3), jsonb, text[],
// enums, bigint) makes the round trip exactly, the same way on PostgreSQL and on the embedded
// PGlite, without pg_dump (which cannot talk to PGlite).
import pg from "pg";

/** Prisma's bookkeeping table: not data; the backup records the migration names instead. */
const MIGRATIONS_TABLE = "_prisma_migrations";

// Rows per INSERT … json_populate_recordset: one round trip per batch, a few MB at most.
const RESTORE_BATCH_ROWS = 500;

export interface TableSnapshot {
  readonly name: string;
  readonly columns: readonly string[];
  /** One JSON object per row, as row_to_json wrote it. */
  readonly rows: readonly string[];
}

export interface SequenceSnapshot {
  readonly table: string;
  readonly column: string;
  /** setval(…, lastValue, isCalled) gives the sequence back exactly (never a value handed out twice). */
  readonly lastValue: string;
  readonly isCalled: boolean;
}

export interface DatabaseSnapshot {
  /** The migration folders applied to the database, in order. */
  readonly migrations: readonly string[];
  /** Parents before children (foreign keys), so loading in this order needs no deferred checks. */
  readonly tables: readonly TableSnapshot[];
  readonly sequences: readonly SequenceSnapshot[];
}

const quoteIdent = (name: string) => `"${name.replaceAll('"', '""')}"`;

async function withClient<T>(url: string, run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end().catch(() => {});
  }
}

/** The tables of the schema in search_path, parents first; throws on a foreign-key cycle. */
async function listTablesInDependencyOrder(client: pg.Client): Promise<string[]> {
  const { rows: tables } = await client.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_class c
       WHERE c.relkind IN ('r', 'p') AND c.relnamespace = current_schema()::regnamespace
         AND c.relname <> $1
       ORDER BY c.relname`,
    [MIGRATIONS_TABLE],
  );
  const { rows: edges } = await client.query<{ child: string; parent: string }>(
    `SELECT child.relname AS child, parent.relname AS parent FROM pg_constraint k
       JOIN pg_class child ON child.oid = k.conrelid
       JOIN pg_class parent ON parent.oid = k.confrelid
       WHERE k.contype = 'f' AND child.relnamespace = current_schema()::regnamespace
         AND child.oid <> parent.oid`,
  );
  const names = tables.map((t) => t.name);
  const parents = new Map(names.map((n) => [n, new Set<string>()]));
  for (const e of edges) parents.get(e.child)?.add(e.parent);
  const ordered: string[] = [];
  const placed = new Set<string>();
  while (ordered.length < names.length) {
    const ready = names.filter(
      (n) => !placed.has(n) && [...(parents.get(n) ?? [])].every((p) => placed.has(p)),
    );
    if (ready.length === 0) throw new Error("the schema's foreign keys form a cycle: no load order exists");
    for (const n of ready) {
      ordered.push(n);
      placed.add(n);
    }
  }
  return ordered;
}

async function listColumns(client: pg.Client, table: string): Promise<string[]> {
  const { rows } = await client.query<{ name: string }>(
    `SELECT attname AS name FROM pg_attribute
       WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum`,
    [quoteIdent(table)],
  );
  return rows.map((r) => r.name);
}

/** Columns whose default draws from a sequence (Prisma's autoincrement: serial, bigserial). */
async function listSequenceColumns(
  client: pg.Client,
): Promise<{ table: string; column: string; sequence: string }[]> {
  const { rows } = await client.query<{ table: string; column: string; sequence: string }>(
    `SELECT c.relname AS table, a.attname AS column,
            pg_get_serial_sequence(quote_ident(c.relname), a.attname) AS sequence
       FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid
       WHERE c.relkind IN ('r', 'p') AND c.relnamespace = current_schema()::regnamespace
         AND a.attnum > 0 AND NOT a.attisdropped
         AND pg_get_serial_sequence(quote_ident(c.relname), a.attname) IS NOT NULL
       ORDER BY 1, 2`,
  );
  return rows;
}

async function appliedMigrations(client: pg.Client): Promise<string[]> {
  const { rows: exists } = await client.query<{ ok: boolean }>("SELECT to_regclass($1) IS NOT NULL AS ok", [
    quoteIdent(MIGRATIONS_TABLE),
  ]);
  if (!exists[0]?.ok) return [];
  const { rows } = await client.query<{ name: string }>(
    `SELECT migration_name AS name FROM ${quoteIdent(MIGRATIONS_TABLE)}
       WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL ORDER BY migration_name`,
  );
  return rows.map((r) => r.name);
}

/**
 * Reads every table in one REPEATABLE READ READ ONLY transaction: one snapshot of the whole
 * database (PostgreSQL §13.2.2), so an order is never captured without its authorizations even
 * while the server keeps writing. Writers are not blocked on PostgreSQL; on the embedded
 * database, which runs one transaction at a time, requests wait for the snapshot's duration.
 */
export async function readDatabaseSnapshot(url: string): Promise<DatabaseSnapshot> {
  return withClient(url, async (client) => {
    await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    try {
      const migrations = await appliedMigrations(client);
      const tables: TableSnapshot[] = [];
      for (const name of await listTablesInDependencyOrder(client)) {
        const columns = await listColumns(client, name);
        const { rows } = await client.query<{ row: string }>(
          `SELECT row_to_json(t)::text AS row FROM ${quoteIdent(name)} t`,
        );
        tables.push({ name, columns, rows: rows.map((r) => r.row) });
      }
      const sequences: SequenceSnapshot[] = [];
      for (const s of await listSequenceColumns(client)) {
        // Sequences are outside transactions: this value is at least the snapshot's highest id.
        const { rows } = await client.query<{ last_value: string; is_called: boolean }>(
          `SELECT last_value::text, is_called FROM ${s.sequence}`,
        );
        const row = rows[0];
        if (row)
          sequences.push({
            table: s.table,
            column: s.column,
            lastValue: row.last_value,
            isCalled: row.is_called,
          });
      }
      await client.query("COMMIT");
      return { migrations, tables, sequences };
    } catch (error) {
      await client.query("ROLLBACK").catch(() => {});
      throw error;
    }
  });
}

export interface DatabaseContents {
  /** Migrations recorded as applied (empty for a new database). */
  readonly migrations: readonly string[];
  /** Tables that hold at least one row. */
  readonly nonEmptyTables: readonly string[];
}

/** What a restore target holds already. */
export async function inspectDatabase(url: string): Promise<DatabaseContents> {
  return withClient(url, async (client) => {
    const migrations = await appliedMigrations(client);
    const nonEmptyTables: string[] = [];
    for (const name of await listTablesInDependencyOrder(client)) {
      const { rows } = await client.query<{ any: boolean }>(
        `SELECT EXISTS (SELECT 1 FROM ${quoteIdent(name)}) AS any`,
      );
      if (rows[0]?.any) nonEmptyTables.push(name);
    }
    return { migrations, nonEmptyTables };
  });
}

/**
 * Other sessions connected to the same database (another Keyward, a psql): a restore must not
 * pull the data from under them. Always 0 on the embedded database, whose connections share
 * one session.
 */
export async function countOtherSessions(url: string): Promise<number> {
  return withClient(url, async (client) => {
    const { rows } = await client.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_stat_activity
         WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'`,
    );
    return rows[0]?.n ?? 0;
  });
}

/**
 * Drops everything in the current schema and creates it again empty: what `restore --force`
 * means by wiping the target (tables, types, functions, and the migration history with them).
 */
export async function wipeSchema(url: string): Promise<void> {
  await withClient(url, async (client) => {
    const { rows } = await client.query<{ schema: string }>("SELECT current_schema() AS schema");
    const schema = quoteIdent(rows[0]?.schema ?? "public");
    await client.query(`BEGIN; DROP SCHEMA ${schema} CASCADE; CREATE SCHEMA ${schema}; COMMIT`);
  });
}

/**
 * Loads the tables (parents first) and sets the sequences, in one transaction: a failure leaves
 * the target as it was. The target must have exactly the snapshot's schema (the same migrations
 * applied) and no rows. Only the snapshot's columns are written, so a column the target has
 * beyond them gets its default.
 */
export async function loadDatabaseSnapshot(url: string, snapshot: DatabaseSnapshot): Promise<void> {
  await withClient(url, async (client) => {
    await client.query("BEGIN");
    try {
      const present = new Set(await listTablesInDependencyOrder(client));
      for (const table of snapshot.tables) {
        if (!present.has(table.name)) throw new Error(`the target database has no table "${table.name}"`);
        const targetColumns = new Set(await listColumns(client, table.name));
        const missing = table.columns.filter((c) => !targetColumns.has(c));
        if (missing.length)
          throw new Error(`the target's table "${table.name}" lacks columns: ${missing.join(", ")}`);
        const columns = table.columns.map(quoteIdent).join(", ");
        for (let i = 0; i < table.rows.length; i += RESTORE_BATCH_ROWS) {
          const batch = `[${table.rows.slice(i, i + RESTORE_BATCH_ROWS).join(",")}]`;
          await client.query(
            `INSERT INTO ${quoteIdent(table.name)} (${columns})
               SELECT ${columns} FROM json_populate_recordset(NULL::${quoteIdent(table.name)}, $1::json)`,
            [batch],
          );
        }
      }
      for (const s of snapshot.sequences) {
        await client.query("SELECT setval(pg_get_serial_sequence($1, $2), $3::bigint, $4)", [
          quoteIdent(s.table),
          s.column,
          s.lastValue,
          s.isCalled,
        ]);
      }
      await client.query("COMMIT");
    } catch (error) {
      await client.query("ROLLBACK").catch(() => {});
      throw error;
    }
  });
}

export interface BackupAuditEvent {
  readonly action: "backup.created" | "backup.restored";
  readonly targetId: string;
  readonly details: Record<string, unknown>;
}

/**
 * The audit record of a backup or restore, by the command line ("system"). Written with the
 * columns every schema version has: a backup taken before an upgrade reads an older schema than
 * this build's Prisma client expects.
 */
export async function recordBackupAuditEvent(url: string, event: BackupAuditEvent): Promise<void> {
  await withClient(url, (client) =>
    client.query(
      `INSERT INTO "AuditEvent" (actor, action, "targetType", "targetId", details)
         VALUES ('system', $1, 'Backup', $2, $3::jsonb)`,
      [event.action, event.targetId, JSON.stringify(event.details)],
    ),
  );
}
