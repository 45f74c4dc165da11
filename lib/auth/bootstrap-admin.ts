// First start: when no administrator exists, create one so that someone can sign in. Its password
// comes from KEYWARD_ADMIN_PASSWORD, or is generated, printed once by the server's banner, and must
// be changed at first sign-in. Called from lib/bootstrap.ts; safe to run on every start and from
// several instances at once (the unique username decides).
import { recordAudit } from "@/lib/audit/record";
import type { Db } from "@/lib/db/client";
import { isUniqueViolation } from "@/lib/db/errors";
import { env } from "@/lib/env";
import { generatePassword, hashPassword } from "./passwords";

export type FirstAdministrator = {
  username: string;
  /** The password to print; null when it came from KEYWARD_ADMIN_PASSWORD (never echo it). */
  password: string | null;
  /** True when the password was generated: the user must change it at first sign-in. */
  oneTime: boolean;
};

export async function ensureFirstAdministrator(database: Db): Promise<FirstAdministrator | null> {
  if ((await database.user.count({ where: { role: "administrator" } })) > 0) return null;
  const config = env();
  const username = config.KEYWARD_ADMIN_USERNAME;
  if (await database.user.findUnique({ where: { username }, select: { id: true } })) {
    // A non-administrator holds the name: leave it to the operator (`npm run keyward -- user create`).
    console.warn(
      `[keyward] no administrator exists and the user "${username}" is not one; create one with: npm run keyward -- user create --username <name> --role administrator`,
    );
    return null;
  }
  const fromEnvironment = config.KEYWARD_ADMIN_PASSWORD;
  const password = fromEnvironment ?? generatePassword();
  const passwordHash = await hashPassword(password);
  try {
    await database.$transaction(async (tx) => {
      const user = await tx.user.create({
        data: { username, role: "administrator", passwordHash, mustChangePassword: !fromEnvironment },
      });
      await recordAudit(tx, {
        actor: "system",
        action: "user.created",
        targetType: "user",
        targetId: user.id,
        details: {
          before: null,
          after: { username, role: "administrator", disabled: false },
          reason: "first start",
        },
      });
    });
  } catch (err) {
    if (isUniqueViolation(err)) return null; // another instance created it first
    throw err;
  }
  return { username, password: fromEnvironment ? null : password, oneTime: !fromEnvironment };
}

/** The banner lines for a first administrator (server.ts prints them). */
export function firstAdministratorBanner(admin: FirstAdministrator | null): string[] {
  if (!admin) return [];
  return admin.oneTime
    ? [
        `  First administrator: ${admin.username}`,
        `  One-time password:   ${admin.password}   (shown once; change it at first sign-in)`,
      ]
    : [`  First administrator: ${admin.username} (password from KEYWARD_ADMIN_PASSWORD)`];
}
