"use client";
import { ConfirmedActionButton } from "@/components/ui/ConfirmedActionButton";
import { useRevokeApiTokenMutation } from "@/lib/console/client/queries";

export function ApiTokenRevokeButton({ id, name }: { id: string; name: string }) {
  return (
    <ConfirmedActionButton
      mutation={useRevokeApiTokenMutation()}
      variables={id}
      label="Revoke"
      ariaLabel={`Revoke ${name}`}
      title={`Revoke token "${name}"?`}
      confirmLabel="Revoke"
    >
      <p>Scripts using this token get 401 from now on. This cannot be undone.</p>
    </ConfirmedActionButton>
  );
}
