// The server as an operator meets it: first start on the embedded database in an empty data
// directory (no DATABASE_URL), what it writes there, HTTPS with its own CA, a clean stop on
// SIGTERM, and a restart that finds the same CA.
import { execFileSync } from "node:child_process";
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

const sha256Of = (file: string) =>
  execFileSync("openssl", ["x509", "-in", file, "-noout", "-fingerprint", "-sha256"]).toString().trim();

describe("first start on the embedded database", () => {
  let rootFingerprint: string;
  let tlsFingerprint: string;

  it("creates the master key (0600), the CA files and a chain openssl accepts", async () => {
    server = await start();
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
