"use client";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { Button } from "@/components/ui/Button";
import { ConfirmDialog } from "@/components/ui/ConfirmDialog";
import { errorMessage } from "@/lib/console/client/api";
import { useDeleteApprovalProfileMutation } from "@/lib/console/client/queries";

export function ApprovalProfileDeleteButton({ name }: { name: string }) {
  const router = useRouter();
  const [open, setOpen] = useState(false);
  const mutation = useDeleteApprovalProfileMutation(name);
  return (
    <>
      <Button
        size="sm"
        variant="ghost"
        className="text-red-700 hover:bg-red-50"
        onClick={() => setOpen(true)}
        aria-label={`Delete ${name}`}
      >
        Delete
      </Button>
      <ConfirmDialog
        open={open}
        onClose={() => {
          mutation.reset();
          setOpen(false);
        }}
        title={`Delete approval profile "${name}"?`}
        confirmLabel={`Delete ${name}`}
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
          Requests made under it keep their rules. An alias that names it must choose another profile first.
        </p>
      </ConfirmDialog>
    </>
  );
}
