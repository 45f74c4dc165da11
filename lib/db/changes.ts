// Changes other processes made, as PostgreSQL notifications (issue 13: the alias, the global
// settings and the signing account are read by every ACME request; with this they are read once
// and kept until they change). Triggers (migration "change_notifications") send
// `NOTIFY keyward_changes, '<what>'` when a row that a cache holds changes:
//
//   "settings"        GlobalSettings, Alias or TermsOfServiceVersion (insert, update, delete)
//   "account:<id>"    an Account row updated or deleted
//   "ca"              CertificateAuthority or CaCrossCertificate (insert, update, delete)
//
// A notification is delivered when its transaction commits, to every listening session; the one
// process that serves the embedded database forwards PGlite's over IPC (lib/db/embedded.ts).
// While no notification can arrive (no listener yet, its connection lost, another process's
// embedded database) the feed is not live, and caches must not answer from memory: they read
// through, as before. When a lost connection is back, every cache is cleared first, since what
// changed in between was not heard.
import pg from "pg";

export const CHANGES_CHANNEL = "keyward_changes";
const RECONNECT_MIN_MS = 500;
const RECONNECT_MAX_MS = 10_000;

type Listener = (change: string | null) => void;

/** `change` null: anything may have changed (the feed started, stopped or came back). */
class ChangeFeed {
  #live = false;
  readonly #listeners = new Set<Listener>();

  get live(): boolean {
    return this.#live;
  }

  subscribe(listener: Listener): void {
    this.#listeners.add(listener);
  }

  setLive(live: boolean): void {
    this.#live = live;
    this.emit(null);
  }

  emit(change: string | null): void {
    for (const listener of this.#listeners) listener(change);
  }
}

// One feed per process, on globalThis: the Next app bundles its own copy of this module, and a
// change the console makes must reach the caches of server.ts's copy at once (announceChange).
const FEED_KEY = Symbol.for("keyward.changeFeed");
const feed: ChangeFeed =
  ((globalThis as Record<symbol, unknown>)[FEED_KEY] as ChangeFeed | undefined) ?? new ChangeFeed();
(globalThis as Record<symbol, unknown>)[FEED_KEY] = feed;

/** The process's feed: live only once server.ts started one of the sources below. */
export function changeFeed(): Pick<ChangeFeed, "live" | "subscribe"> {
  return feed;
}

/**
 * Tells this process's caches now, after a change committed, what the triggers' notification
 * will tell every process a moment later: the next request here cannot see the old value.
 */
export function announceChange(change: string): void {
  feed.emit(change);
}

/** Notifications forwarded by the embedded database's process (it has no socket to listen on). */
export function followEmbeddedNotifications(source: {
  onNotification: (listener: (channel: string, payload: string) => void) => void;
  onExit: (listener: () => void) => void;
}): void {
  source.onNotification((channel, payload) => {
    if (channel === CHANGES_CHANNEL) feed.emit(payload);
  });
  source.onExit(() => feed.setLive(false));
  feed.setLive(true);
}

/**
 * LISTEN on a connection of its own (a pooled one would be returned to the pool and stop
 * listening), reconnecting with backoff while PostgreSQL is away. Returns a stop function.
 */
export function listenForChanges(url: string, log: (message: string) => void): () => Promise<void> {
  let client: pg.Client | null = null;
  let stopped = false;
  let delay = RECONNECT_MIN_MS;
  let timer: NodeJS.Timeout | undefined;

  const lost = (c: pg.Client, reason: string) => {
    // An error and then the end of the same connection: one reconnection.
    if (stopped || c !== client) return;
    if (feed.live) log(`change notifications lost (${reason}); caches read through until they are back`);
    feed.setLive(false);
    client?.removeAllListeners();
    client?.end().catch(() => {});
    client = null;
    timer = setTimeout(connect, delay);
    delay = Math.min(delay * 2, RECONNECT_MAX_MS);
  };

  const connect = async () => {
    if (stopped) return;
    const c = new pg.Client({ connectionString: url });
    client = c;
    c.on("error", (err) => lost(c, err.message));
    c.on("end", () => lost(c, "connection closed"));
    c.on("notification", (n) => {
      if (n.channel === CHANGES_CHANNEL && n.payload !== undefined) feed.emit(n.payload);
    });
    try {
      await c.connect();
      await c.query(`LISTEN ${CHANGES_CHANNEL}`);
    } catch (err) {
      lost(c, err instanceof Error ? err.message : String(err));
      return;
    }
    if (stopped) {
      await c.end().catch(() => {});
      return;
    }
    delay = RECONNECT_MIN_MS;
    feed.setLive(true);
  };

  void connect();
  return async () => {
    stopped = true;
    clearTimeout(timer);
    feed.setLive(false);
    const c = client;
    client = null;
    c?.removeAllListeners();
    await c?.end().catch(() => {});
  };
}

/**
 * Values read from the database, kept while the feed is live and until a change names them
 * (`keysOf` maps a change to the keys it invalidates; null: all). A read that was under way
 * when something changed is not kept (the generation moved). At most `size` entries: the oldest
 * go first. `maxAgeMs` bounds how long any entry is believed, notifications or not.
 */
export class ChangeCache<K, V> {
  readonly #entries = new Map<K, { value: V; at: number }>();
  #generation = 0;

  constructor(
    readonly o: {
      size: number;
      maxAgeMs: number;
      keysOf: (change: string) => K[] | null;
      /** Which values to keep (default all): e.g. not "no such row", which anyone can ask for. */
      keep?: (value: V) => boolean;
    },
  ) {
    feed.subscribe((change) => {
      const keys = change === null ? null : this.o.keysOf(change);
      if (keys === null) this.clear();
      else if (keys.length > 0) {
        this.#generation++;
        for (const key of keys) this.#entries.delete(key);
      }
    });
  }

  clear(): void {
    this.#generation++;
    this.#entries.clear();
  }

  forget(key: K): void {
    this.#generation++;
    this.#entries.delete(key);
  }

  async get(key: K, load: () => Promise<V>): Promise<V> {
    if (!feed.live) return load();
    const entry = this.#entries.get(key);
    if (entry && Date.now() - entry.at < this.o.maxAgeMs) return entry.value;
    const generation = this.#generation;
    const value = await load();
    if (generation === this.#generation && feed.live && (this.o.keep?.(value) ?? true)) {
      if (this.#entries.size >= this.o.size) this.#entries.delete(this.#entries.keys().next().value as K);
      this.#entries.set(key, { value, at: Date.now() });
    }
    return value;
  }
}
