// A certificate's status as a badge with text; a revoked one names its reason on hover.
import { Badge } from "@/components/ui/Badge";
import type { CertificateSummary } from "@/lib/console/certificates";

export function CertificateStatusBadge({
  certificate,
}: {
  certificate: Pick<CertificateSummary, "status" | "revocationReason" | "revokedAt">;
}) {
  const { status, revocationReason, revokedAt } = certificate;
  if (status === "revoked")
    return (
      <Badge tone="red" title={revokedAt ? `Revoked ${revokedAt}` : undefined}>
        revoked{revocationReason && revocationReason.code !== 0 ? ` · ${revocationReason.name}` : ""}
      </Badge>
    );
  return <Badge tone={status === "valid" ? "green" : "slate"}>{status}</Badge>;
}
