// Who the caller is: user or token, name and role, and what it may do now (for a token: only
// what both its role and its owner's current role allow).
import { withConsole } from "@/lib/console/api/with-console";

export const GET = withConsole({ permission: null, allowPasswordChange: true }, async ({ actor }) => ({
  kind: actor.kind,
  id: actor.id,
  name: actor.name,
  role: actor.role,
  ...(actor.owner ? { owner: actor.owner } : {}),
  permissions: actor.permissions,
}));
