// DELETE: delete a CA that has issued nothing and that nothing refers to (its sealed key goes
// with it); otherwise 409 naming what still refers to it.
import { withConsole } from "@/lib/console/api/with-console";
import { deleteCa } from "@/lib/console/authorities";
import { caParamsSchema } from "@/lib/console/schemas/authorities";

export const DELETE = withConsole(
  { permission: "authorities.manage", params: caParamsSchema, audit: "ca.deleted" },
  async ({ actor, params }) => {
    await deleteCa({ actor, id: params.id });
  },
);
