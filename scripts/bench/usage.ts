// What the servers under test cost while the bench runs, read from /proc (Linux): CPU time of a
// process and its descendants, resident memory, and PostgreSQL's share (the backends serving
// the bench's database and the cluster's background processes, which write its WAL).
import fs from "node:fs";
import pg from "pg";

/** /proc/<pid>/stat counts in clock ticks; USER_HZ is 100 on Linux (sysconf(_SC_CLK_TCK)). */
const MS_PER_TICK = 10;

type ProcStat = { ppid: number; cpuMs: number };

function readStat(pid: number): ProcStat | null {
  let text: string;
  try {
    text = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return null;
  }
  // proc(5): "pid (comm) state ppid …" — comm may hold spaces and parentheses: split after the last ")".
  const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
  const ppid = Number(fields[1]);
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return { ppid, cpuMs: (utime + stime) * MS_PER_TICK };
}

/** `pid` and every process below it. */
export function processTree(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(Number(entry));
    if (!stat) continue;
    const list = children.get(stat.ppid) ?? [];
    list.push(Number(entry));
    children.set(stat.ppid, list);
  }
  const tree: number[] = [];
  const visit = (p: number) => {
    tree.push(p);
    for (const child of children.get(p) ?? []) visit(child);
  };
  visit(pid);
  return tree;
}

/** CPU ms per pid now (pids that are gone are left out). */
export function cpuSnapshot(pids: Iterable<number>): Map<number, number> {
  const snapshot = new Map<number, number>();
  for (const pid of pids) {
    const stat = readStat(pid);
    if (stat) snapshot.set(pid, stat.cpuMs);
  }
  return snapshot;
}

/**
 * CPU used between two snapshots: a process that appeared counts from zero (it started inside
 * the interval); one that disappeared is lost (idle pool connections closing cost next to nothing).
 */
export function cpuBetween(before: Map<number, number>, after: Map<number, number>): number {
  let ms = 0;
  for (const [pid, end] of after) ms += end - (before.get(pid) ?? 0);
  return ms;
}

export function rssBytes(pid: number): number {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = /^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1];
    return kb ? Number(kb) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** The PostgreSQL processes that work for one database: its backends and the cluster's own. */
export class PostgresProcesses {
  readonly #client: pg.Client;
  constructor(
    serverUrl: string,
    readonly database: string,
  ) {
    this.#client = new pg.Client({ connectionString: serverUrl });
  }

  async connect(): Promise<void> {
    await this.#client.connect();
  }

  async pids(): Promise<number[]> {
    const { rows } = await this.#client.query<{ pid: number }>(
      `SELECT pid FROM pg_stat_activity
        WHERE (datname = $1 OR backend_type <> 'client backend') AND pid <> pg_backend_pid()`,
      [this.database],
    );
    return rows.map((r) => r.pid);
  }

  /** Client backends of other databases busy right now: another workload sharing the cluster. */
  async othersActive(): Promise<number> {
    const { rows } = await this.#client.query<{ n: string }>(
      `SELECT count(*) AS n FROM pg_stat_activity
        WHERE backend_type = 'client backend' AND datname IS DISTINCT FROM $1 AND state = 'active'
          AND pid <> pg_backend_pid()`,
      [this.database],
    );
    return Number(rows[0]?.n ?? 0);
  }

  async close(): Promise<void> {
    await this.#client.end();
  }
}
