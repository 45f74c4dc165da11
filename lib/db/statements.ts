// Statements of the ACME hot path, sent straight to node-postgres (issue 13: on the order path the
// Prisma client cost more CPU than the work itself). Each has a stable name, so that PostgreSQL
// parses and plans it once per connection (named prepared statements, protocol §55.2.3), and is
// written as one statement wherever the RFC's step allows, so that a request costs one round
// trip. Everything else keeps Prisma.
//
// Values: a Date is sent as UTC "YYYY-MM-DD HH:MM:SS.mmm" (the text of a timestamp(3), as Prisma
// writes them) and the SQL casts it with ::timestamp(3); a Buffer goes as bytea, an array as a
// PostgreSQL array, a plain object as JSON (cast ::jsonb).
import type pg from "pg";
import { type Db, poolOf } from "./client";

export type Statement = { readonly name: string; readonly text: string };

const names = new Set<string>();

/** Declares a statement; its name must be unique in the process. */
export function statement(name: string, text: string): Statement {
  if (names.has(name)) throw new Error(`statement name used twice: ${name}`);
  names.add(name);
  return { name: `kw_${name}`, text };
}

/** A timestamp(3) as text, in UTC: how a Date is sent. */
function timestampText(date: Date): string {
  return date.toISOString().replace("T", " ").replace("Z", "");
}

function toParameter(value: unknown): unknown {
  if (value instanceof Date) return timestampText(value);
  if (value === undefined) return null;
  if (value !== null && typeof value === "object" && !Buffer.isBuffer(value) && !Array.isArray(value))
    return JSON.stringify(value);
  return value;
}

function config(db: Db, st: Statement, values: readonly unknown[]): pg.QueryConfig {
  const pool = poolOf(db);
  return {
    name: pool.keywardNamedStatements ? st.name : undefined,
    text: st.text,
    values: values.map(toParameter),
  };
}

/** Runs `st` on any pooled connection; the rows it returns. */
export async function query<T extends pg.QueryResultRow>(
  db: Db,
  st: Statement,
  values: readonly unknown[] = [],
): Promise<T[]> {
  const result = await poolOf(db).query<T>(config(db, st, values));
  return result.rows;
}

/** Runs `st`; how many rows it inserted, updated or deleted. */
export async function execute(db: Db, st: Statement, values: readonly unknown[] = []): Promise<number> {
  const result = await poolOf(db).query(config(db, st, values));
  return result.rowCount ?? 0;
}

/** Runs `work` in one transaction on one pooled connection; `run` sends statements as `query` does. */
export async function transaction<T>(
  db: Db,
  work: (
    run: <R extends pg.QueryResultRow>(st: Statement, values?: readonly unknown[]) => Promise<R[]>,
  ) => Promise<T>,
): Promise<T> {
  const client = await poolOf(db).connect();
  try {
    await client.query("BEGIN");
    const result = await work(async (st, values = []) => (await client.query(config(db, st, values))).rows);
    await client.query("COMMIT");
    return result;
  } catch (err) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}
