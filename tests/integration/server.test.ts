// The server as an operator meets it: first start on the embedded database in an empty data
// directory (no DATABASE_URL), what it writes there and who may read it, the CLI beside it,
// HTTPS with its own CA, a clean stop on SIGTERM, and a restart that finds the same CA.
import { execFile, execFileSync } from "node:child_process";
import fs from "node:fs";
import https from "node:https";
import os from "node:os";
import path from "node:path";
import type { TLSSocket } from "node:tls";
import { afterAll, describe, expect, it } from "vitest";
import { freePort } from "../support/ports";
import { type RunningServer, startServer } from "../support/server-process";

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "keyward-server-"));
let server: RunningServer | undefined;

afterAll(async () => {
  await server?.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

async function start() {
  const [http, httpsPort] = [await freePort(), await freePort()];
  // DATABASE_URL unset: the embedded database in the data directory.
  return startServer({
    DATABASE_URL: undefined,
    KEYWARD_DATA_DIR: dataDir,
    KEYWARD_HTTP_PORT: String(http),
    KEYWARD_HTTPS_PORT: String(httpsPort),
  });
}

function getTls(url: string, ca: Buffer): Promise<{ status: number; body: string; peerFingerprint: string }> {
  return new Promise((resolve, reject) => {
    const req = https.get(url, { ca, agent: false }, (res) => {
      const peerFingerprint = (res.socket as TLSSocket).getPeerCertificate().fingerprint256;
      let body = "";
      res.on("data", (d) => (body += d));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body, peerFingerprint }));
    });
    req.on("error", reject);
  });
}

/** What in `dir` its group or other users may access, relative to `dir`, with the mode. */
function openToOthers(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, encoding: "utf8" })
    .map((name) => ({ name, mode: fs.lstatSync(path.join(dir, name)).mode & 0o777 }))
    .filter(({ mode }) => (mode & 0o077) !== 0)
    .map(({ name, mode }) => `${name} ${mode.toString(8)}`);
}

const ROOT = path.resolve(import.meta.dirname, "../..");

/** `npm run keyward -- …` with no DATABASE_URL, on the server's data directory. */
function keywardCli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, KEYWARD_DATA_DIR: dataDir };
  delete env.DATABASE_URL;
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["--import", "tsx", "scripts/keyward.ts", ...args],
      { cwd: ROOT, env, timeout: 60_000 },
      (err, stdout, stderr) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

const sha256Of = (file: string) =>
  execFileSync("openssl", ["x509", "-in", file, "-noout", "-fingerprint", "-sha256"]).toString().trim();

describe("first start on the embedded database", () => {
  let rootFingerprint: string;
  let tlsFingerprint: string;

  it("creates the master key (0600), the CA files and a chain openssl accepts", async () => {
    // As `mkdir data` leaves it with the usual umask; the server makes it 0700.
    fs.chmodSync(dataDir, 0o755);
    server = await start();
    expect(fs.statSync(dataDir).mode & 0o777).toBe(0o700);
    const key = path.join(dataDir, "master.key");
    expect(fs.statSync(key).mode & 0o777).toBe(0o600);
    const ca = path.join(dataDir, "ca");
    for (const f of ["root.pem", "root.der", "issuing.pem", "issuing.der", "chain.pem"])
      expect(fs.existsSync(path.join(ca, f)), f).toBe(true);
    expect(
      execFileSync("openssl", [
        "verify",
        "-CAfile",
        path.join(ca, "root.pem"),
        path.join(ca, "issuing.pem"),
      ]).toString(),
    ).toContain("OK");
    expect(fs.statSync(path.join(dataDir, "tls", "server.key")).mode & 0o777).toBe(0o600);
    rootFingerprint = sha256Of(path.join(ca, "root.pem"));
  });

  it("serves HTTPS with a certificate from its own CA, and the CA certificates at stable URLs", async () => {
    const root = fs.readFileSync(path.join(dataDir, "ca", "root.pem"));
    const res = await getTls(`${server?.httpsUrl}/acme/directory`, root);
    // ACME is disabled on a new installation: a problem document says so.
    expect(res.status).toBe(403);
    expect(JSON.parse(res.body).detail).toMatch(/disabled/);
    tlsFingerprint = res.peerFingerprint;
    expect(await (await fetch(`${server?.httpUrl}/ca/root.pem`)).text()).toBe(root.toString());
    const der = Buffer.from(await (await fetch(`${server?.httpUrl}/ca/root.der`)).arrayBuffer());
    expect(der.equals(fs.readFileSync(path.join(dataDir, "ca", "root.der")))).toBe(true);
    expect((await fetch(`${server?.httpUrl}/ca/nope.pem`)).status).toBe(404);
  });

  it("keeps its data directory to its owner; the CLI reaches the embedded database beside it", async () => {
    // Issue 15: the directory is 0700. Inside, only the public certificates are readable by
    // others (nothing is writable), which the directory's mode makes moot: they are served
    // at /ca anyway.
    expect(fs.statSync(dataDir).mode & 0o777).toBe(0o700);
    for (const entry of openToOthers(dataDir)) {
      expect(entry).toMatch(/^(ca|ca\/(root|issuing|chain)\.(pem|der)|tls\/server\.crt) (755|644)$/);
    }

    // Without DATABASE_URL the CLI finds the running server's socket through the lock.
    const status = await keywardCli("acme", "status");
    expect(status.stderr).toBe("");
    expect(status).toMatchObject({ code: 0, stdout: expect.stringContaining("ACME: disabled") });
  });

  it("never prints private key material", () => {
    expect(server?.output()).not.toMatch(/PRIVATE KEY|"d":/);
    expect(server?.output()).toContain("ACME is disabled");
  });

  it("stops cleanly on SIGTERM, and a restart finds the same CA and TLS certificate", async () => {
    expect(await server?.stop()).toBe(0);
    server = await start();
    expect(sha256Of(path.join(dataDir, "ca", "root.pem"))).toBe(rootFingerprint);
    const res = await getTls(
      `${server.httpsUrl}/acme/directory`,
      fs.readFileSync(path.join(dataDir, "ca", "root.pem")),
    );
    expect(res.peerFingerprint).toBe(tlsFingerprint);
  });
});
