"use client";
import type { UseMutationResult } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { type ReactNode, useState } from "react";
import { errorMessage } from "@/lib/console/client/api";
import { Button } from "./Button";
import { ConfirmDialog } from "./ConfirmDialog";

/**
 * A button for one destructive action on one object (revoke, remove, delete, deactivate): it asks
 * first in a dialog that names the object, runs the mutation, shows the server's refusal in the
 * dialog, and refreshes the page when it is done. In a table row it is small and quiet
 * (`prominent` false); on an object's own page it is a full danger button.
 */
export function ConfirmedActionButton<V>({
  mutation,
  variables,
  label,
  ariaLabel,
  title,
  confirmLabel,
  prominent = false,
  testId,
  children,
}: {
  // biome-ignore lint/suspicious/noExplicitAny: any mutation's result and context; only its state is read.
  mutation: UseMutationResult<any, Error, V, any>;
  variables: V;
  label: string;
  ariaLabel?: string;
  title: string;
  confirmLabel: string;
  prominent?: boolean;
  testId?: string;
  children: ReactNode;
}) {
  const router = useRouter();
  const [open, setOpen] = useState(false);
  return (
    <>
      <Button
        {...(prominent
          ? { variant: "danger" as const }
          : { size: "sm" as const, variant: "ghost" as const, className: "text-red-700 hover:bg-red-50" })}
        onClick={() => setOpen(true)}
        aria-label={ariaLabel}
        data-testid={testId}
      >
        {label}
      </Button>
      <ConfirmDialog
        open={open}
        onClose={() => {
          mutation.reset();
          setOpen(false);
        }}
        title={title}
        confirmLabel={confirmLabel}
        pending={mutation.isPending}
        error={mutation.error ? errorMessage(mutation.error) : null}
        onConfirm={() =>
          mutation.mutate(variables, {
            onSuccess: () => {
              setOpen(false);
              router.refresh();
            },
          })
        }
      >
        {children}
      </ConfirmDialog>
    </>
  );
}
