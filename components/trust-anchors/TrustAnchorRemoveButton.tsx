"use client";
import { ConfirmedActionButton } from "@/components/ui/ConfirmedActionButton";
import { useRemoveTrustAnchorMutation } from "@/lib/console/client/queries";

export function TrustAnchorRemoveButton({ id, subjectDn }: { id: string; subjectDn: string }) {
  return (
    <ConfirmedActionButton
      mutation={useRemoveTrustAnchorMutation()}
      variables={id}
      label="Remove"
      ariaLabel={`Remove ${subjectDn}`}
      title={`Stop trusting "${subjectDn}"?`}
      confirmLabel="Remove"
    >
      <p>
        Client certificates that chain only to this CA are refused on aliases that require a client
        certificate, from their next request on.
      </p>
    </ConfirmedActionButton>
  );
}
