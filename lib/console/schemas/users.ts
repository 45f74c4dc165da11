// Console users: names, roles and passwords, for the users page, the API and `keyward user`.
import { z } from "zod";
import { ROLES, USERNAME_PATTERN } from "@/lib/auth/permissions";
import { listQuerySchema, sortSchema } from "./common";

// NIST SP 800-63B §5.1.1.2: at least 8 characters, at least 64 allowed; operators of a CA get 12.
export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 256;

export const usernameSchema = z
  .string({ error: "Enter a username" })
  .trim()
  .regex(USERNAME_PATTERN, "A username is 1 to 64 letters, digits, '.', '_', '@' or '-'");

export const roleSchema = z.enum(ROLES, { error: `One of ${ROLES.join(", ")}` });

export const passwordSchema = z
  .string({ error: "Enter a password" })
  .min(PASSWORD_MIN_LENGTH, `At least ${PASSWORD_MIN_LENGTH} characters`)
  .max(PASSWORD_MAX_LENGTH, `At most ${PASSWORD_MAX_LENGTH} characters`);

export const createUserBodySchema = z.strictObject({
  username: usernameSchema,
  role: roleSchema,
  // Left out: a one-time password is generated, shown once, and must be changed at first sign-in.
  password: passwordSchema.optional(),
});
export type CreateUserBody = z.infer<typeof createUserBodySchema>;

export const updateUserBodySchema = z.strictObject({
  role: roleSchema.optional(),
  disabled: z.boolean({ error: "disabled must be true or false" }).optional(),
  // true: a new one-time password is generated and returned once.
  resetPassword: z.literal(true).optional(),
  // true: the user's sign-in lock (after too many wrong passwords) and failure count are cleared.
  unlockSignIn: z.literal(true).optional(),
});
export type UpdateUserBody = z.infer<typeof updateUserBodySchema>;

export const changePasswordBodySchema = z
  .strictObject({
    currentPassword: z
      .string({ error: "Enter your current password" })
      .min(1, "Enter your current password")
      .max(PASSWORD_MAX_LENGTH),
    newPassword: passwordSchema,
  })
  .refine((v) => v.currentPassword !== v.newPassword, {
    path: ["newPassword"],
    message: "Choose a password different from the current one",
  });

/**
 * The change-password form: the request body's rules, and the new password typed twice (a typo
 * in a hidden field would otherwise lock the user out). Only the body is sent.
 */
export const changePasswordFormSchema = z
  .object({ currentPassword: z.string(), newPassword: z.string(), repeatPassword: z.string() })
  .superRefine(({ repeatPassword, ...body }, ctx) => {
    const parsed = changePasswordBodySchema.safeParse(body);
    if (!parsed.success) for (const issue of parsed.error.issues) ctx.addIssue({ ...issue, code: "custom" });
    if (repeatPassword !== body.newPassword)
      ctx.addIssue({ code: "custom", path: ["repeatPassword"], message: "The two new passwords differ" });
  });

export const userParamsSchema = z.object({ username: z.string().min(1).max(64) });

/** The users list: search by name, sort by a column, page. */
export const USER_SORT_COLUMNS = ["username", "role", "status", "lastSignIn"] as const;
export const userListQuerySchema = listQuerySchema.extend(
  sortSchema(USER_SORT_COLUMNS, { sort: "username", dir: "asc" }).shape,
);
export type UserListQuery = z.infer<typeof userListQuerySchema>;
