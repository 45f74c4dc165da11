// Which SQL would change the state of the one PostgreSQL session that every connection to the
// embedded database shares (issue 15: one client's `SET default_transaction_read_only = on` made
// every server write fail). lib/db/pglite-queue.ts refuses such statements; this file only
// recognises them, from the SQL text of a simple Query or a Parse message.
//
// Refused, because they outlive the statement's transaction and so reach other connections:
//   SET / SET SESSION … / SET ROLE / SET SESSION AUTHORIZATION / SET TIME ZONE …   (any SET but
//     SET LOCAL, SET TRANSACTION and SET CONSTRAINTS, which end with the transaction)
//   RESET …, DISCARD …, set_config(name, value, is_local) unless is_local is literally true,
//   LISTEN / UNLISTEN (a notification would reach whichever connection happens to run next),
//   DEALLOCATE ALL (it would drop the other connections' prepared statements).
// Allowed: everything else, notably SET LOCAL, set_config(…, true), advisory locks (the
// migration engine takes pg_advisory_lock; in one session it is re-entrant, so it excludes
// nobody but breaks nothing), and SET clauses of CREATE/ALTER FUNCTION, ROLE or DATABASE.
//
// This screens what drivers, ORMs and people at psql send; it is not a sandbox. Every client
// that reaches the socket is the superuser and could still reach session state through dynamic
// SQL in a DO block or a function body, which is not parsed here.

/** A refused statement: what it is, for the error message, and what to do instead. */
export interface SessionChange {
  statement: string;
  hint: string;
}

const USE_LOCAL = "Use SET LOCAL, or set_config(name, value, true), inside a transaction.";

/**
 * The first statement of `sql` that would change session state, or null when there is none.
 * `sql` may hold several statements (a simple Query); strings, quoted identifiers and comments
 * are skipped, so `SELECT 'SET x = 1'` is not a SET.
 */
export function findSessionChange(sql: string): SessionChange | null {
  // Fast path: every refused statement contains one of these words (case-insensitive).
  if (!/set|discard|listen|deallocate/i.test(sql)) return null;
  for (const words of splitStatements(sql)) {
    const change = classify(words);
    if (change) return change;
  }
  return null;
}

/** The highest parameter number ($n) that `sql` refers to outside strings and comments. */
export function highestParameter(sql: string): number {
  let highest = 0;
  for (const words of splitStatements(sql)) {
    for (const word of words) {
      if (word.startsWith("$")) highest = Math.max(highest, Number(word.slice(1)));
    }
  }
  return highest;
}

function classify(words: string[]): SessionChange | null {
  const [first, second, third] = words;
  switch (first) {
    case "set":
      // SET LOCAL, SET TRANSACTION and SET CONSTRAINTS last until the end of the transaction.
      if (second === "local" || second === "transaction" || second === "constraints") break;
      if (second === "session") {
        const what = third === "authorization" ? "SET SESSION AUTHORIZATION" : "SET SESSION";
        return { statement: what, hint: USE_LOCAL };
      }
      return { statement: second === "role" ? "SET ROLE" : "SET", hint: USE_LOCAL };
    case "reset":
      return { statement: "RESET", hint: USE_LOCAL };
    case "discard":
      return { statement: "DISCARD", hint: "Close the connection instead." };
    case "listen":
    case "unlisten":
      return {
        statement: first.toUpperCase(),
        hint: "LISTEN/NOTIFY needs a PostgreSQL server: set DATABASE_URL.",
      };
    case "deallocate":
      if (second === "all" || (second === "prepare" && third === "all")) {
        return { statement: "DEALLOCATE ALL", hint: "Deallocate your own statements by name." };
      }
      break;
  }
  return findSessionSetConfig(words);
}

/** `set_config(name, value, is_local)` anywhere in the statement, with is_local not literally true. */
function findSessionSetConfig(words: string[]): SessionChange | null {
  for (let i = 0; i < words.length; i++) {
    if (words[i] !== "set_config" || words[i + 1] !== "(") continue;
    // The third argument at the call's own depth: the words between its second comma and the
    // closing parenthesis.
    let depth = 0;
    let commas = 0;
    const third: string[] = [];
    for (let j = i + 2; j < words.length; j++) {
      const word = words[j] as string;
      if (word === "(") depth++;
      else if (word === ")" && depth-- === 0) break;
      else if (word === "," && depth === 0) commas++;
      else if (commas === 2) third.push(word);
    }
    if (third.length !== 1 || third[0] !== "true") {
      return { statement: "set_config(…, false)", hint: USE_LOCAL };
    }
  }
  return null;
}

/**
 * Splits SQL into statements of lower-cased words: identifiers and keywords, `$n` parameters,
 * and the punctuation `(`, `)` and `,`. String constants become the word `'`, quoted
 * identifiers `"`; comments vanish. Follows PostgreSQL's lexer (scan.l) for what it skips:
 * '…' with '' inside, E'…' with backslash escapes, "…" with "" inside, $tag$…$tag$, -- to the
 * end of the line and nested /* … *\/.
 */
// Sticky (y): each matches exactly at lastIndex, so the lexer never copies the rest of the text.
const DOLLAR_TAG = /\$(?:[A-Za-z_\u0080-\uffff][\w\u0080-\uffff]*)?\$/y;
const PARAMETER = /\$\d+/y;
const IDENTIFIER_START = /[A-Za-z_\u0080-\uffff]/;
const IDENTIFIER = /[\w$\u0080-\uffff]+/y;

function splitStatements(sql: string): string[][] {
  const statements: string[][] = [];
  let words: string[] = [];
  let i = 0;
  const n = sql.length;
  const endStatement = () => {
    if (words.length > 0) statements.push(words);
    words = [];
  };
  while (i < n) {
    const c = sql[i] as string;
    if (c === ";") {
      endStatement();
      i++;
    } else if (c === "-" && sql[i + 1] === "-") {
      const end = sql.indexOf("\n", i);
      i = end === -1 ? n : end + 1;
    } else if (c === "/" && sql[i + 1] === "*") {
      let depth = 1;
      i += 2;
      while (i < n && depth > 0) {
        if (sql[i] === "/" && sql[i + 1] === "*") {
          depth++;
          i += 2;
        } else if (sql[i] === "*" && sql[i + 1] === "/") {
          depth--;
          i += 2;
        } else i++;
      }
    } else if (c === "'") {
      i = skipQuoted(sql, i, "'", false);
      words.push("'");
    } else if (c === '"') {
      i = skipQuoted(sql, i, '"', false);
      words.push('"');
    } else if (c === "$") {
      DOLLAR_TAG.lastIndex = i;
      PARAMETER.lastIndex = i;
      const tag = DOLLAR_TAG.exec(sql)?.[0];
      const parameter = PARAMETER.exec(sql)?.[0];
      if (tag) {
        const end = sql.indexOf(tag, i + tag.length);
        i = end === -1 ? n : end + tag.length;
        words.push("'");
      } else if (parameter) {
        words.push(parameter);
        i += parameter.length;
      } else i++;
    } else if (IDENTIFIER_START.test(c)) {
      IDENTIFIER.lastIndex = i;
      const word = IDENTIFIER.exec(sql)?.[0] as string;
      i += word.length;
      // E'…' (and e'…'): an escape string, where a backslash escapes the quote.
      if ((word === "E" || word === "e") && sql[i] === "'") {
        i = skipQuoted(sql, i, "'", true);
        words.push("'");
      } else words.push(word.toLowerCase());
    } else {
      if (c === "(" || c === ")" || c === ",") words.push(c);
      i++;
    }
  }
  endStatement();
  return statements;
}

/** The index after the quoted text that starts at `start`; a doubled quote stays inside. */
function skipQuoted(sql: string, start: number, quote: string, backslashEscapes: boolean): number {
  let i = start + 1;
  while (i < sql.length) {
    const c = sql[i];
    if (backslashEscapes && c === "\\") i += 2;
    else if (c === quote && sql[i + 1] === quote) i += 2;
    else if (c === quote) return i + 1;
    else i++;
  }
  return sql.length;
}
