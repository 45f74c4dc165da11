// The message queue between pglite-socket's connections and the one PGlite instance.
//
// pglite-socket 0.2.17 queues each protocol message on its own and keeps a connection's turn only
// while PGlite is inside a transaction. Outside one, the extended-query messages of two
// connections interleave (Parse of A, Parse of B, Bind of A…), and A's Bind meets B's unnamed
// statement: "bind message supplies 4 parameters, but prepared statement "" requires 2". We saw
// this under concurrent ACME requests. This queue keeps a connection's turn from its first
// message until the end of its exchange: a Sync ('S') or simple Query ('Q') outside a
// transaction (PostgreSQL protocol §55.2.3: Sync closes an extended-query sequence), so every
// connection sees PGlite as if it were alone, as with a real server.
import type { PGlite } from "@electric-sql/pglite";

type Item = {
  handlerId: number;
  message: Uint8Array;
  onData: (data: Uint8Array) => void;
  resolve: (bytes: number) => void;
  reject: (err: unknown) => void;
};

const SYNC = 0x53; // 'S'
const QUERY = 0x51; // 'Q'
const TERMINATE = 0x58; // 'X'

/** Same interface as pglite-socket's internal QueryQueueManager, which it replaces. */
export class ExchangeQueue {
  #queue: Item[] = [];
  #owner: number | null = null;
  #processing = false;

  constructor(private readonly db: PGlite) {}

  enqueue(handlerId: number, message: Uint8Array, onData: (data: Uint8Array) => void): Promise<number> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ handlerId, message, onData, resolve, reject });
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
        try {
          await this.db.runExclusive(() =>
            this.db.execProtocolRawStream(item.message, {
              onRawData: (data) => {
                bytes += data.length;
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
  if (type === SYNC || type === QUERY || type === TERMINATE) return true;
  // Startup and SSL/cancel requests begin with their length (a 0 high byte), not a type letter.
  return type === 0;
}
