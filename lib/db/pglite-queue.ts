// The message queue between pglite-socket's connections and the one PGlite instance.
//
// One exchange at a time. pglite-socket 0.2.17 queues each protocol message on its own and keeps a
// connection's turn only while PGlite is inside a transaction. Outside one, the extended-query
// messages of two connections interleave (Parse of A, Parse of B, Bind of A…), and A's Bind meets
// B's unnamed statement: "bind message supplies 4 parameters, but prepared statement "" requires
// 2". We saw this under concurrent ACME requests. This queue keeps a connection's turn from its
// first message until the end of its exchange: a Sync ('S') or simple Query ('Q') outside a
// transaction (PostgreSQL protocol §55.2.3: Sync closes an extended-query sequence), so every
// connection sees PGlite as if it were alone, as with a real server.
//
// No session-level changes (issue 15). PGlite has one PostgreSQL session, and every connection
// shares it: one client's `SET default_transaction_read_only = on` made every server write fail.
// So a Query or Parse whose SQL would change that session (lib/db/session-statements.ts) is
// replaced by a statement that raises feature_not_supported. PGlite itself then reports the
// error, so the connection stays usable and the protocol state is exactly PostgreSQL's: a
// transaction in progress is aborted, an extended-query sequence skips to its Sync.
//
// Who may connect is not decided here: the startup packet passes to PGlite, which answers
// AuthenticationOk to anyone that reaches the socket. The socket's 0700 directory
// (lib/db/pglite-server.ts) is what keeps other users out.
import type { PGlite } from "@electric-sql/pglite";
import {
  MESSAGE_TYPE,
  NotificationScanner,
  parseMessage,
  queryMessage,
  readParse,
  readQuery,
} from "./pg-protocol";
import { findSessionChange, highestParameter, type SessionChange } from "./session-statements";

type Item = {
  handlerId: number;
  message: Uint8Array;
  onData: (data: Uint8Array) => void;
  resolve: (bytes: number) => void;
  reject: (err: unknown) => void;
};

// A refused statement's parameters are declared as text: every text-format value is valid text.
const TEXT_OID = 25;

/** Same interface as pglite-socket's internal QueryQueueManager, which it replaces. */
export class ExchangeQueue {
  #queue: Item[] = [];
  #owner: number | null = null;
  #processing = false;

  /**
   * `onNotification` hears every NOTIFY the shared session receives: the backend sends it within
   * the output of whichever connection's exchange committed, where no client listens for it.
   */
  constructor(
    private readonly db: PGlite,
    private readonly onNotification?: (channel: string, payload: string) => void,
  ) {}

  enqueue(handlerId: number, message: Uint8Array, onData: (data: Uint8Array) => void): Promise<number> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ handlerId, message: refuseSessionChange(message), onData, resolve, reject });
      void this.#process();
    });
  }

  getQueueLength(): number {
    return this.#queue.length;
  }

  clearQueueForHandler(handlerId: number): void {
    this.#queue = this.#queue.filter((item) => {
      if (item.handlerId !== handlerId) return true;
      item.reject(new Error("Handler disconnected"));
      return false;
    });
  }

  async clearTransactionIfNeeded(handlerId: number): Promise<void> {
    if (this.#owner !== handlerId) return;
    if (this.db.isInTransaction()) await this.db.exec("ROLLBACK");
    this.#owner = null;
    await this.#process();
  }

  async #process(): Promise<void> {
    if (this.#processing) return;
    this.#processing = true;
    try {
      for (;;) {
        const index =
          this.#owner === null ? 0 : this.#queue.findIndex((item) => item.handlerId === this.#owner);
        // Nothing queued, or the connection whose turn it is has not sent its next message yet.
        if (index === -1 || this.#queue.length === 0) break;
        const [item] = this.#queue.splice(index, 1) as [Item];
        this.#owner = item.handlerId;
        let bytes = 0;
        const scanner = this.onNotification && new NotificationScanner(this.onNotification);
        try {
          await this.db.runExclusive(() =>
            this.db.execProtocolRawStream(item.message, {
              onRawData: (data) => {
                bytes += data.length;
                scanner?.push(data);
                item.onData(data);
              },
            }),
          );
          item.resolve(bytes);
        } catch (err) {
          item.reject(err);
        }
        if (endsExchange(item.message) && !this.db.isInTransaction()) this.#owner = null;
      }
    } finally {
      this.#processing = false;
    }
  }
}

/** A Sync, simple Query or Terminate message, or the startup packet (which has no type byte). */
function endsExchange(message: Uint8Array): boolean {
  const type = message[0];
  if (type === MESSAGE_TYPE.SYNC || type === MESSAGE_TYPE.QUERY || type === MESSAGE_TYPE.TERMINATE)
    return true;
  // Startup and SSL/cancel requests begin with their length (a 0 high byte), not a type letter.
  return type === 0;
}

/**
 * The message itself, or, when its SQL would change the shared session, the same message with a
 * statement that raises the refusal in its place. A Parse keeps its statement name and declares
 * as many parameters as the refused SQL used, so the client's Bind still fits and the error
 * comes at Execute with our message. A simple Query is refused whole (none of its statements run).
 */
function refuseSessionChange(message: Uint8Array): Uint8Array {
  if (message[0] === MESSAGE_TYPE.QUERY) {
    const change = findSessionChange(tryRead(readQuery, message) ?? "");
    return change ? queryMessage(refusalSql(change)) : message;
  }
  if (message[0] === MESSAGE_TYPE.PARSE) {
    const parse = tryRead(readParse, message);
    const change = parse && findSessionChange(parse.sql);
    if (!parse || !change) return message;
    const declared = parse.parameterTypes.map((oid) => oid || TEXT_OID);
    const count = Math.max(declared.length, highestParameter(parse.sql));
    const parameterTypes = Array.from({ length: count }, (_, i) => declared[i] ?? TEXT_OID);
    return parseMessage({ statementName: parse.statementName, sql: refusalSql(change), parameterTypes });
  }
  return message;
}

/** A statement that fails with SQLSTATE 0A000 (feature_not_supported), our message and a hint. */
function refusalSql({ statement, hint }: SessionChange): string {
  const message =
    `${statement} is refused: all connections to Keyward's embedded database share one ` +
    "PostgreSQL session, so it would change the session of every connection";
  const literal = (text: string) => `'${text.replaceAll("'", "''")}'`;
  return (
    "DO $keyward$BEGIN RAISE EXCEPTION USING ERRCODE = 'feature_not_supported', " +
    `MESSAGE = ${literal(message)}, HINT = ${literal(hint)}; END$keyward$`
  );
}

/** A malformed message reads as null; PGlite then answers it as PostgreSQL would. */
function tryRead<T>(read: (message: Uint8Array) => T, message: Uint8Array): T | null {
  try {
    return read(message);
  } catch {
    return null;
  }
}
