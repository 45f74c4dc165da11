// GET: users. POST { username, role, password? }: a new user (a one-time password when none given).
import { withConsole } from "@/lib/console/api/with-console";
import { createUserBodySchema, userListQuerySchema } from "@/lib/console/schemas/users";
import { createUser, listUsers } from "@/lib/console/users";

export const GET = withConsole({ permission: "users.read", query: userListQuerySchema }, ({ actor, query }) =>
  listUsers({ actor, ...query }),
);

export const POST = withConsole(
  { permission: "users.manage", body: createUserBodySchema, audit: "user.created", successStatus: 201 },
  ({ actor, body }) => createUser({ actor, input: body }),
);
