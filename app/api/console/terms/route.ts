// GET ?q=&sort=version|accounts&dir=&page=: a page of aliases (by name) with their terms of
// service: versions, when each took effect, accounts that agreed.
import { withConsole } from "@/lib/console/api/with-console";
import { termsListQuerySchema } from "@/lib/console/schemas/terms";
import { listTerms } from "@/lib/console/terms";

export const GET = withConsole(
  { permission: "console.read", query: termsListQuerySchema },
  ({ actor, query }) => listTerms({ actor, ...query }),
);
