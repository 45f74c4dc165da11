"use client";
import { ConfirmedActionButton } from "@/components/ui/ConfirmedActionButton";
import { useDeleteApprovalProfileMutation } from "@/lib/console/client/queries";

export function ApprovalProfileDeleteButton({ name }: { name: string }) {
  return (
    <ConfirmedActionButton
      mutation={useDeleteApprovalProfileMutation(name)}
      variables={undefined}
      label="Delete"
      ariaLabel={`Delete ${name}`}
      title={`Delete approval profile "${name}"?`}
      confirmLabel={`Delete ${name}`}
    >
      <p>
        Requests made under it keep their rules. An alias that names it must choose another profile first.
      </p>
    </ConfirmedActionButton>
  );
}
