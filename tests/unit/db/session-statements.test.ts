// Which SQL the embedded database refuses because it would change the one session all its
// connections share (lib/db/session-statements.ts, issue 15), and which it lets through.
import { describe, expect, it } from "vitest";
import { findSessionChange, highestParameter } from "@/lib/db/session-statements";

describe("findSessionChange", () => {
  const refused: [sql: string, statement: string][] = [
    ["SET default_transaction_read_only = on", "SET"],
    ["set search_path to evil", "SET"],
    ["SET TIME ZONE 'UTC'", "SET"],
    ["SET SESSION statement_timeout = 1", "SET SESSION"],
    ["SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY", "SET SESSION"],
    ["SET SESSION AUTHORIZATION nobody", "SET SESSION AUTHORIZATION"],
    ["SET ROLE nobody", "SET ROLE"],
    ["RESET ALL", "RESET"],
    ["reset statement_timeout", "RESET"],
    ["DISCARD ALL", "DISCARD"],
    ["LISTEN changes", "LISTEN"],
    ["UNLISTEN *", "UNLISTEN"],
    ["DEALLOCATE ALL", "DEALLOCATE ALL"],
    ["DEALLOCATE PREPARE ALL", "DEALLOCATE ALL"],
    ["SELECT set_config('search_path', 'evil', false)", "set_config(…, false)"],
    ["select pg_catalog.set_config('a.b', $1, $2)", "set_config(…, false)"],
    ["SELECT set_config('a.b', lower('X'), (SELECT false))", "set_config(…, false)"],
    // Hidden after harmless statements, comments and strings that mention other things.
    ["BEGIN; SELECT 'a;b'; SET x.y = 1; COMMIT", "SET"],
    ["/* SET LOCAL /* nested */ still a comment */ SET x.y = 1", "SET"],
    ["-- SET LOCAL x = 1\nSET x.y = 1", "SET"],
    ["SELECT $$;SET LOCAL$$; SET x.y = 1", "SET"],
    ["SELECT $tag$ $$ ; $tag$; SET x.y = 1", "SET"],
    ["SELECT E'it\\'s;'; SET x.y = 1", "SET"],
    ['SELECT 1 AS "a;""b"; SET x.y = 1', "SET"],
    ["WITH t AS (SELECT 1) SELECT set_config('a', 'b', false) FROM t", "set_config(…, false)"],
  ];
  it.each(refused)("fail/%s", (sql, statement) => {
    expect(findSessionChange(sql)).toMatchObject({ statement });
  });

  const allowed = [
    "SELECT 1",
    "SET LOCAL statement_timeout = 1000",
    "SET TRANSACTION ISOLATION LEVEL SERIALIZABLE", // Prisma, after BEGIN
    "SET CONSTRAINTS ALL DEFERRED",
    "BEGIN; SET LOCAL x.y = 1; COMMIT",
    "SELECT set_config('a.b', 'c', true)",
    "SELECT set_config('a.b', 'c', TRUE), set_config('d.e', 'f', true)",
    'UPDATE "_prisma_migrations" SET "finished_at" = $1 WHERE "id" = $2',
    'SELECT COUNT(*) FROM (SELECT "id" FROM "AuditEvent" WHERE 1=1 OFFSET $1) AS "sub"',
    "SELECT pg_advisory_lock(72707369)", // the migration engine's lock
    "SELECT 'SET x = 1', 'RESET ALL; DISCARD ALL'",
    "SELECT 1 -- SET x = 1",
    "SELECT 1 /* ; SET x = 1 */",
    "SELECT $$ ; SET x = 1 $$",
    "SELECT E'\\'; SET x = 1'",
    'SELECT "SET" FROM t; SELECT "x;SET y"',
    "CREATE FUNCTION f() RETURNS int SET search_path = public AS $$ SELECT set_config('a', 'b', false)::int $$ LANGUAGE sql",
    "ALTER TABLE t SET (fillfactor = 70)",
    "ALTER DATABASE postgres SET work_mem = '8MB'",
    "DEALLOCATE my_statement",
    "SELECT offset, reset_count, settings FROM t", // words that contain the keywords
    "",
  ];
  it.each(allowed)("ok/%s", (sql) => {
    expect(findSessionChange(sql)).toBeNull();
  });
});

describe("highestParameter", () => {
  it("counts $n outside strings and comments", () => {
    expect(highestParameter("SELECT set_config($1, $2, $3)")).toBe(3);
    expect(highestParameter("SELECT $2, '$7', $$ $9 $$ -- $8")).toBe(2);
    expect(highestParameter("SET x = 1")).toBe(0);
  });
});
