"use client";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { Button } from "@/components/ui/Button";
import { useCreateAliasMutation } from "@/lib/console/client/queries";
import { AliasNameDialog } from "./AliasNameDialog";

export function AliasCreateButton() {
  const router = useRouter();
  const [open, setOpen] = useState(false);
  const mutation = useCreateAliasMutation();
  return (
    <>
      <Button onClick={() => setOpen(true)} data-testid="alias-create">
        Create alias
      </Button>
      <AliasNameDialog
        open={open}
        onClose={() => setOpen(false)}
        title="Create an alias"
        description="The new alias starts with the default settings. It serves ACME once you have reviewed and stored it."
        submitLabel="Create"
        field="name"
        onSubmit={async (name) => {
          await mutation.mutateAsync(name);
          router.push(`/aliases/${encodeURIComponent(name)}`);
        }}
      />
    </>
  );
}
