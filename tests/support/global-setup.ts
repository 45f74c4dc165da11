// Integration tests run against one real Keyward server on a fresh database: a new database on
// the PostgreSQL named by DATABASE_URL, or the embedded PGlite when it is unset.
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { startEmbeddedDatabase } from "@/lib/db/embedded";
import { freePort, TRUSTED_PROXY_ADDRESS } from "./ports";
import { startServer } from "./server-process";
import { createFreshDatabase } from "./test-db";

export type KeywardUnderTest = {
  httpUrl: string;
  httpsUrl: string;
  /** ACME with client-certificate authentication (KEYWARD_MTLS_PORT). */
  mtlsUrl: string;
  databaseUrl: string;
  dataDir: string;
  pid: number;
  /** Where the server's validation authority connects for http-01 and tls-alpn-01. */
  http01Port: number;
  tlsAlpn01Port: number;
};

declare module "vitest" {
  export interface ProvidedContext {
    keyward: KeywardUnderTest;
  }
}

export default async function setup(project: TestProject) {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), "keyward-it-"));
  let databaseUrl: string;
  let dropDatabase: () => Promise<void>;
  if (process.env.DATABASE_URL) {
    const fresh = await createFreshDatabase(process.env.DATABASE_URL, "it");
    databaseUrl = fresh.url;
    dropDatabase = fresh.drop;
  } else {
    const embedded = await startEmbeddedDatabase({ dataDir: path.join(dataDir, "db") });
    databaseUrl = embedded.url;
    dropDatabase = embedded.stop;
  }
  const [httpPort, httpsPort, mtlsPort, http01Port, tlsAlpn01Port] = [
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
  ];
  const server = await startServer({
    DATABASE_URL: databaseUrl,
    KEYWARD_DATA_DIR: dataDir,
    KEYWARD_HTTP_PORT: String(httpPort),
    KEYWARD_HTTPS_PORT: String(httpsPort),
    KEYWARD_MTLS_PORT: String(mtlsPort),
    // tests/integration/trusted-proxies.test.ts plays the proxy from this address.
    KEYWARD_TRUSTED_PROXIES: TRUSTED_PROXY_ADDRESS,
    KEYWARD_VA_HTTP01_PORT: String(http01Port),
    KEYWARD_VA_TLSALPN01_PORT: String(tlsAlpn01Port),
  });
  project.provide("keyward", {
    httpUrl: server.httpUrl,
    httpsUrl: server.httpsUrl,
    mtlsUrl: server.mtlsUrl,
    databaseUrl,
    dataDir,
    pid: server.pid,
    http01Port,
    tlsAlpn01Port,
  });

  return async () => {
    const code = await server.stop();
    // The server's own log is a test artifact: the first place to look when a test fails.
    await fs.mkdir("test-results", { recursive: true });
    await fs.writeFile(path.join("test-results", `keyward-${project.name}.log`), server.output());
    if (code !== 0) console.error(`Keyward exited with ${code}. Its output:\n${server.output()}`);
    await dropDatabase();
    await fs.rm(dataDir, { recursive: true, force: true });
  };
}
