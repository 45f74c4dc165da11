"use client";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { Button } from "@/components/ui/Button";
import { ConfirmDialog } from "@/components/ui/ConfirmDialog";
import { errorMessage } from "@/lib/console/client/api";
import {
  useCloneAliasMutation,
  useDeleteAliasMutation,
  useRenameAliasMutation,
} from "@/lib/console/client/queries";
import { AliasNameDialog } from "./AliasNameDialog";

/** Rename, clone and delete of one alias; after a change the page follows the alias. */
export function AliasActions({
  name,
  isDefault,
  accountCount,
  stayOnList = false,
}: {
  name: string;
  isDefault: boolean;
  accountCount: number;
  stayOnList?: boolean;
}) {
  const router = useRouter();
  const [dialog, setDialog] = useState<"rename" | "clone" | "delete" | null>(null);
  const rename = useRenameAliasMutation(name);
  const clone = useCloneAliasMutation(name);
  const remove = useDeleteAliasMutation(name);
  const close = () => setDialog(null);
  return (
    <div className="flex items-center gap-1.5">
      <Button size="sm" variant="secondary" onClick={() => setDialog("rename")} aria-label={`Rename ${name}`}>
        Rename
      </Button>
      <Button size="sm" variant="secondary" onClick={() => setDialog("clone")} aria-label={`Clone ${name}`}>
        Clone
      </Button>
      <Button
        size="sm"
        variant="ghost"
        className="text-red-700 hover:bg-red-50"
        onClick={() => setDialog("delete")}
        aria-label={`Delete ${name}`}
      >
        Delete
      </Button>
      <AliasNameDialog
        open={dialog === "rename"}
        onClose={close}
        title={`Rename "${name}"`}
        description="ACME clients configured with the old directory URL stop working; accounts stay with the alias."
        submitLabel="Rename"
        initialName={name}
        field="newName"
        onSubmit={async (newName) => {
          await rename.mutateAsync(newName);
          if (stayOnList) router.refresh();
          else router.replace(`/aliases/${encodeURIComponent(newName)}`);
        }}
      />
      <AliasNameDialog
        open={dialog === "clone"}
        onClose={close}
        title={`Clone "${name}"`}
        description="A new alias with a copy of these settings."
        submitLabel="Clone"
        initialName={`${name}-copy`}
        field="newName"
        onSubmit={async (newName) => {
          await clone.mutateAsync(newName);
          router.push(`/aliases/${encodeURIComponent(newName)}`);
        }}
      />
      <ConfirmDialog
        open={dialog === "delete"}
        onClose={() => {
          remove.reset();
          close();
        }}
        title={`Delete alias "${name}"?`}
        confirmLabel={`Delete ${name}`}
        pending={remove.isPending}
        error={remove.error ? errorMessage(remove.error) : null}
        onConfirm={() =>
          remove.mutate(undefined, {
            onSuccess: () => {
              close();
              if (stayOnList) router.refresh();
              else router.replace("/aliases");
            },
          })
        }
      >
        <p>
          The alias <strong className="font-semibold">{name}</strong> and its settings will be deleted; its
          ACME URLs will answer &ldquo;not found&rdquo;.
        </p>
        {isDefault && (
          <p className="text-amber-700">
            It is the default alias: /acme/directory will have no alias unless exactly one alias is left.
          </p>
        )}
        {accountCount > 0 && (
          <p className="text-red-700">
            It has {accountCount} ACME account(s): it cannot be deleted while they use it.
          </p>
        )}
      </ConfirmDialog>
    </div>
  );
}
