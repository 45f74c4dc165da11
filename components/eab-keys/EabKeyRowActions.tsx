"use client";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { Button } from "@/components/ui/Button";
import { ConfirmDialog } from "@/components/ui/ConfirmDialog";
import { errorMessage } from "@/lib/console/client/api";
import { useDeleteEabKeyMutation, useUpdateEabKeyMutation } from "@/lib/console/client/queries";

/** Disable (or enable again) and delete one key, each after a confirmation naming it. */
export function EabKeyRowActions({
  alias,
  id,
  keyIdentifier,
  disabled,
  boundAccountCount,
}: {
  alias: string;
  id: string;
  keyIdentifier: string;
  disabled: boolean;
  boundAccountCount: number;
}) {
  const router = useRouter();
  const [confirm, setConfirm] = useState<"toggle" | "delete" | null>(null);
  const update = useUpdateEabKeyMutation(alias);
  const remove = useDeleteEabKeyMutation(alias);
  const done = {
    onSuccess: () => {
      setConfirm(null);
      router.refresh();
    },
  };
  // What becomes of the accounts the key bound: nothing (they keep working).
  const bound =
    boundAccountCount === 0
      ? "It has bound no account yet."
      : boundAccountCount === 1
        ? "The 1 account it bound keeps working."
        : `The ${boundAccountCount} accounts it bound keep working.`;
  return (
    <div className="flex justify-end gap-1">
      <Button
        size="sm"
        variant="ghost"
        onClick={() => setConfirm("toggle")}
        aria-label={`${disabled ? "Enable" : "Disable"} ${keyIdentifier}`}
      >
        {disabled ? "Enable" : "Disable"}
      </Button>
      <Button
        size="sm"
        variant="ghost"
        className="text-red-700 hover:bg-red-50"
        onClick={() => setConfirm("delete")}
        aria-label={`Delete ${keyIdentifier}`}
      >
        Delete
      </Button>
      <ConfirmDialog
        open={confirm === "toggle"}
        onClose={() => setConfirm(null)}
        title={`${disabled ? "Enable" : "Disable"} EAB key "${keyIdentifier}"?`}
        confirmLabel={disabled ? "Enable key" : "Disable key"}
        danger={!disabled}
        pending={update.isPending}
        error={update.error ? errorMessage(update.error) : null}
        onConfirm={() => update.mutate({ id, disabled: !disabled }, done)}
      >
        <p>
          {disabled
            ? "Clients can register accounts with it again."
            : `New registrations with this key are refused from now on. ${bound}`}
        </p>
      </ConfirmDialog>
      <ConfirmDialog
        open={confirm === "delete"}
        onClose={() => setConfirm(null)}
        title={`Delete EAB key "${keyIdentifier}"?`}
        confirmLabel={`Delete ${keyIdentifier}`}
        pending={remove.isPending}
        error={remove.error ? errorMessage(remove.error) : null}
        onConfirm={() => remove.mutate(id, done)}
      >
        <p>
          Registrations with this key are refused from now on, and it cannot be restored. {bound}
          {boundAccountCount > 0 && " Their records keep the key's identifier."}
        </p>
      </ConfirmDialog>
    </div>
  );
}
