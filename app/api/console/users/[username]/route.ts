// PATCH { role?, disabled?, resetPassword? }: change a user.
import { withConsole } from "@/lib/console/api/with-console";
import { updateUserBodySchema, userParamsSchema } from "@/lib/console/schemas/users";
import { updateUser } from "@/lib/console/users";

export const PATCH = withConsole(
  { permission: "users.manage", params: userParamsSchema, body: updateUserBodySchema, audit: "user.updated" },
  ({ actor, params, body }) => updateUser({ actor, username: params.username, input: body }),
);
