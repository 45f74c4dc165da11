// The environment variables of the console's sign-in, parsed once (lib/env.ts holds the rest).
// The README's configuration table lists them.
import { z } from "zod";

const authEnvSchema = z.object({
  // next-auth signs and encrypts session cookies with it. When unset, a secret is derived from
  // the master key (lib/auth/secret.ts), so sessions survive restarts and every instance that
  // shares the database (and therefore the master key) accepts the others' sessions.
  NEXTAUTH_SECRET: z.string().min(32, "NEXTAUTH_SECRET must be at least 32 characters").optional(),
  // The console's public URL when it sits behind a proxy; otherwise each request's own Host and
  // scheme are used, so the console works on the HTTP and the HTTPS port alike.
  NEXTAUTH_URL: z.url({ protocol: /^https?$/ }).optional(),
  // How long a console session lasts without signing in again.
  KEYWARD_SESSION_MAX_AGE_SECONDS: z.coerce
    .number()
    .int()
    .min(300)
    .max(7 * 86_400)
    .default(8 * 3600),
  // The first administrator created at first start (lib/auth/bootstrap-admin.ts).
  KEYWARD_ADMIN_USERNAME: z
    .string()
    .regex(/^[A-Za-z0-9._@-]{1,64}$/)
    .default("admin"),
  KEYWARD_ADMIN_PASSWORD: z
    .string()
    .min(12, "KEYWARD_ADMIN_PASSWORD must be at least 12 characters")
    .max(256)
    .optional(),
});

export type AuthEnv = z.infer<typeof authEnvSchema>;

let cached: AuthEnv | undefined;

export function authEnv(): AuthEnv {
  if (cached) return cached;
  const parsed = authEnvSchema.safeParse(process.env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new Error(`Invalid configuration:\n${lines.join("\n")}`);
  }
  cached = parsed.data;
  return cached;
}
