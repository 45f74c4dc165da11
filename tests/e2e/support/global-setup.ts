// The e2e suite's own Keyward: a fresh database (on DATABASE_URL's PostgreSQL, or the embedded
// PGlite when it is unset), the real server, and three users seeded through the same password
// hashing the console uses.
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { hashPassword } from "@/lib/auth/passwords";
import { createDb } from "@/lib/db/client";
import { startEmbeddedDatabase } from "@/lib/db/embedded";
import { SCREENSHOT_DIR } from "../../../playwright.config";
import { startServer } from "../../support/server-process";
import { createFreshDatabase } from "../../support/test-db";

export type E2eUser = { username: string; password: string };
export type E2eContext = {
  baseUrl: string;
  /** The mutual-TLS port (ACME with client authentication). */
  mtlsUrl: string;
  databaseUrl: string;
  users: { admin: E2eUser; auditor: E2eUser; newcomer: E2eUser };
};

declare module "vitest" {
  export interface ProvidedContext {
    e2e: E2eContext;
  }
}

export default async function setup(project: TestProject) {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), "keyward-e2e-"));
  await fs.rm(SCREENSHOT_DIR, { recursive: true, force: true });
  await fs.mkdir(SCREENSHOT_DIR, { recursive: true });
  let databaseUrl: string;
  let dropDatabase: () => Promise<void>;
  if (process.env.DATABASE_URL) {
    const fresh = await createFreshDatabase(process.env.DATABASE_URL, "e2e");
    databaseUrl = fresh.url;
    dropDatabase = fresh.drop;
  } else {
    const embedded = await startEmbeddedDatabase({ dataDir: path.join(dataDir, "db") });
    databaseUrl = embedded.url;
    dropDatabase = embedded.stop;
  }
  const server = await startServer({ DATABASE_URL: databaseUrl, KEYWARD_DATA_DIR: dataDir });

  const users = {
    admin: { username: "e2e-admin", password: "e2e admin password" },
    auditor: { username: "e2e-auditor", password: "e2e auditor password" },
    newcomer: { username: "e2e-newcomer", password: "one-time password 1" },
  };
  const database = createDb(databaseUrl, 2);
  try {
    await database.user.createMany({
      data: [
        {
          username: users.admin.username,
          role: "administrator",
          passwordHash: await hashPassword(users.admin.password),
        },
        {
          username: users.auditor.username,
          role: "auditor",
          passwordHash: await hashPassword(users.auditor.password),
        },
        {
          username: users.newcomer.username,
          role: "approver",
          passwordHash: await hashPassword(users.newcomer.password),
          mustChangePassword: true,
        },
      ],
      skipDuplicates: true,
    });
  } finally {
    await database.$disconnect();
  }
  project.provide("e2e", { baseUrl: server.httpUrl, mtlsUrl: server.mtlsUrl, databaseUrl, users });

  return async () => {
    const code = await server.stop();
    if (code !== 0) console.error(`Keyward exited with ${code}. Its output:\n${server.output()}`);
    await dropDatabase();
    await fs.rm(dataDir, { recursive: true, force: true });
  };
}
