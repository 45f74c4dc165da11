"use client";
import { ConfirmedActionButton } from "@/components/ui/ConfirmedActionButton";
import { useDeactivateAccountMutation } from "@/lib/console/client/queries";

/** Deactivates an ACME account after a confirmation that names it (irreversible). */
export function AccountDeactivateButton({ id, alias }: { id: string; alias: string }) {
  return (
    <ConfirmedActionButton
      mutation={useDeactivateAccountMutation(id)}
      variables={undefined}
      label="Deactivate account"
      title={`Deactivate account ${id}?`}
      confirmLabel={`Deactivate ${id}`}
      prominent
      testId="account-deactivate"
    >
      <p>
        The account on alias <strong>{alias}</strong> can no longer sign anything: every request it makes is
        refused (RFC 8555 §7.3.6). This cannot be undone; its key cannot register again on this alias.
      </p>
    </ConfirmedActionButton>
  );
}
