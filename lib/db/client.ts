// The Prisma client over node-postgres (Prisma 7 requires a driver adapter). One per process.
// lib/db holds storage only: no ACME or console rules.
import { PrismaPg } from "@prisma/adapter-pg";
import { env } from "@/lib/env";
import { PrismaClient } from "./generated/client";

export type Db = PrismaClient;
export type { Prisma } from "./generated/client";

let client: PrismaClient | undefined;

export function createDb(url: string, max = 10): PrismaClient {
  return new PrismaClient({ adapter: new PrismaPg({ connectionString: url, max }) });
}

/** The process-wide client for DATABASE_URL (set by the server before first use). */
export function db(): PrismaClient {
  if (!client) {
    const url = env().DATABASE_URL;
    if (!url) throw new Error("DATABASE_URL is not set");
    client = createDb(url);
  }
  return client;
}

export async function closeDb(): Promise<void> {
  await client?.$disconnect();
  client = undefined;
}
