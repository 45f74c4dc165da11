// Order, authorization and challenge statuses as badges with text.
import { Badge, type BadgeTone } from "@/components/ui/Badge";

const TONES: Record<string, BadgeTone> = {
  valid: "green",
  ready: "blue",
  pending: "amber",
  processing: "indigo",
  invalid: "red",
  revoked: "red",
  expired: "slate",
  deactivated: "slate",
};

export function StatusBadge({ status, title }: { status: string; title?: string }) {
  return (
    <Badge tone={TONES[status] ?? "slate"} title={title}>
      {status}
    </Badge>
  );
}
