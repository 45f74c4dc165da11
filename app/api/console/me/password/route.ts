// POST { currentPassword, newPassword }: the signed-in user changes their password.
import { withConsole } from "@/lib/console/api/with-console";
import { changePasswordBodySchema } from "@/lib/console/schemas/users";
import { changeOwnPassword } from "@/lib/console/users";

export const POST = withConsole(
  {
    permission: null,
    body: changePasswordBodySchema,
    allowPasswordChange: true,
    audit: "user.password_changed",
  },
  async ({ actor, body }) => {
    await changeOwnPassword({ actor, input: body });
  },
);
