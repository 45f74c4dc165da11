"use client";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { Button } from "@/components/ui/Button";
import { ConfirmDialog } from "@/components/ui/ConfirmDialog";
import { errorMessage } from "@/lib/console/client/api";
import { type ProfileKind, useDeleteProfileMutation } from "@/lib/console/client/queries";

const KIND_LABEL: Record<ProfileKind, string> = {
  "certificate-profiles": "certificate profile",
  "end-entity-profiles": "end entity profile",
};
const USED_BY: Record<ProfileKind, string> = {
  "certificate-profiles": "An end entity profile that names it as its default must choose another first.",
  "end-entity-profiles": "An alias that names it must choose another profile first.",
};

export function ProfileDeleteButton({ kind, name }: { kind: ProfileKind; name: string }) {
  const router = useRouter();
  const [open, setOpen] = useState(false);
  const mutation = useDeleteProfileMutation(kind, name);
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
        title={`Delete ${KIND_LABEL[kind]} "${name}"?`}
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
        <p>Certificates already issued keep their contents. {USED_BY[kind]}</p>
      </ConfirmDialog>
    </>
  );
}
