// An end entity's status as EJBCA names it, as a badge with text: NEW while a certificate is being
// enrolled for it, GENERATED once it was issued.
import { Badge } from "@/components/ui/Badge";
import type { EndEntityStatus } from "@/lib/console/schemas/end-entities";

export function EndEntityStatusBadge({ status }: { status: EndEntityStatus }) {
  return (
    <Badge
      tone={status === "GENERATED" ? "green" : "amber"}
      title={status === "GENERATED" ? "Its latest certificate was issued" : "A certificate is being enrolled"}
    >
      {status}
    </Badge>
  );
}
