"use client";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { Button } from "@/components/ui/Button";
import { ConfirmDialog } from "@/components/ui/ConfirmDialog";
import { errorMessage } from "@/lib/console/client/api";
import { useRemoveTrustAnchorMutation } from "@/lib/console/client/queries";

export function TrustAnchorRemoveButton({ id, subjectDn }: { id: string; subjectDn: string }) {
  const router = useRouter();
  const [open, setOpen] = useState(false);
  const mutation = useRemoveTrustAnchorMutation();
  return (
    <>
      <Button
        size="sm"
        variant="ghost"
        className="text-red-700 hover:bg-red-50"
        onClick={() => setOpen(true)}
        aria-label={`Remove ${subjectDn}`}
      >
        Remove
      </Button>
      <ConfirmDialog
        open={open}
        onClose={() => setOpen(false)}
        title={`Stop trusting "${subjectDn}"?`}
        confirmLabel="Remove"
        pending={mutation.isPending}
        error={mutation.error ? errorMessage(mutation.error) : null}
        onConfirm={() =>
          mutation.mutate(id, {
            onSuccess: () => {
              setOpen(false);
              router.refresh();
            },
          })
        }
      >
        <p>
          Client certificates that chain only to this CA are refused on aliases that require a client
          certificate, from their next request on.
        </p>
      </ConfirmDialog>
    </>
  );
}
