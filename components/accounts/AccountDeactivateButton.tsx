"use client";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { Button } from "@/components/ui/Button";
import { ConfirmDialog } from "@/components/ui/ConfirmDialog";
import { errorMessage } from "@/lib/console/client/api";
import { useDeactivateAccountMutation } from "@/lib/console/client/queries";

/** Deactivates an ACME account after a confirmation that names it (irreversible). */
export function AccountDeactivateButton({ id, alias }: { id: string; alias: string }) {
  const router = useRouter();
  const [open, setOpen] = useState(false);
  const mutation = useDeactivateAccountMutation(id);
  return (
    <>
      <Button variant="danger" onClick={() => setOpen(true)} data-testid="account-deactivate">
        Deactivate account
      </Button>
      <ConfirmDialog
        open={open}
        onClose={() => {
          mutation.reset();
          setOpen(false);
        }}
        title={`Deactivate account ${id}?`}
        confirmLabel={`Deactivate ${id}`}
        pending={mutation.isPending}
        error={mutation.error ? errorMessage(mutation.error) : null}
        onConfirm={() =>
          mutation.mutate(undefined, {
            onSuccess: () => {
              setOpen(false);
              router.refresh();
            },
          })
        }
      >
        <p>
          The account on alias <strong>{alias}</strong> can no longer sign anything: every request it makes is
          refused (RFC 8555 §7.3.6). This cannot be undone; its key cannot register again on this alias.
        </p>
      </ConfirmDialog>
    </>
  );
}
