// API tokens for tests that drive the console API: a user of the role and a token acting for it,
// written straight into the database under test.
import { randomBytes } from "node:crypto";
import { generateApiToken } from "@/lib/auth/api-tokens";
import type { Role } from "@/lib/auth/permissions";
import type { Db } from "@/lib/db/client";

/** A new user of `role` and a token of `tokenRole` (default: the same) that they own. */
export async function createTestUserWithToken(
  database: Db,
  role: Role,
  tokenRole: Role = role,
): Promise<{ token: string; username: string; userId: string }> {
  const user = await database.user.create({
    data: { username: `t-${role}-${randomBytes(4).toString("hex")}`, role, passwordHash: "scrypt$1$1$1$x$x" },
  });
  const { token, tokenHash, prefix } = generateApiToken();
  await database.apiToken.create({
    data: { name: `test ${tokenRole}`, role: tokenRole, tokenHash, prefix, createdById: user.id },
  });
  return { token, username: user.username, userId: user.id };
}

export async function createTestToken(database: Db, role: Role): Promise<string> {
  return (await createTestUserWithToken(database, role)).token;
}
