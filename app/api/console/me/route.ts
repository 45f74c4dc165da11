// Who the caller is: user or token, name and role, and what the role allows.
import { ROLE_PERMISSIONS } from "@/lib/auth/permissions";
import { withConsole } from "@/lib/console/api/with-console";

export const GET = withConsole({ permission: null, allowPasswordChange: true }, async ({ actor }) => ({
  kind: actor.kind,
  id: actor.id,
  name: actor.name,
  role: actor.role,
  permissions: ROLE_PERMISSIONS[actor.role],
}));
