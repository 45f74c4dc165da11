// A private PostgreSQL cluster for fault tests (issue 14 item 9): made with Debian's initdb in a
// temporary directory, listening on a free loopback port, so a test can stop and restart the
// database under a running Keyward without touching the machine's own cluster. PostgreSQL refuses
// to run as root, so as root the cluster belongs to the "postgres" user.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { freePort } from "./ports";

const BIN = "/usr/lib/postgresql/15/bin";

export type PrivatePostgres = {
  url: string;
  /** Stops the cluster (fast shutdown: sessions are cut, as in a crash of the connection). */
  stop: () => void;
  /** Starts it again, if it is stopped. */
  start: () => void;
  /** Stops the cluster and removes its directory. */
  destroy: () => void;
};

function run(program: string, args: string[]): string {
  const asRoot = process.getuid?.() === 0;
  const [file, argv] = asRoot ? ["runuser", ["-u", "postgres", "--", program, ...args]] : [program, args];
  return execFileSync(file, argv, { encoding: "utf8", timeout: 60_000, stdio: ["ignore", "pipe", "pipe"] });
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  if (!fs.existsSync(path.join(BIN, "initdb"))) {
    throw new Error(`${BIN}/initdb is missing: install Debian's postgresql-15 package`);
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "keyward-pg-"));
  if (process.getuid?.() === 0) execFileSync("chown", ["postgres", dir]);
  const data = path.join(dir, "data");
  const port = await freePort();
  run(`${BIN}/initdb`, ["-D", data, "-A", "trust", "-U", "keyward", "--no-sync"]);
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`;
  let running = false;
  const start = () => {
    if (running) return;
    run(`${BIN}/pg_ctl`, ["-D", data, "-o", options, "-l", path.join(dir, "log"), "-w", "start"]);
    running = true;
  };
  const stop = () => {
    if (!running) return;
    run(`${BIN}/pg_ctl`, ["-D", data, "-m", "fast", "-w", "stop"]);
    running = false;
  };
  start();
  return {
    url: `postgresql://keyward@127.0.0.1:${port}/postgres`,
    start,
    stop,
    destroy: () => {
      stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
