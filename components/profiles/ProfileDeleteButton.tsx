"use client";
import { ConfirmedActionButton } from "@/components/ui/ConfirmedActionButton";
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
  return (
    <ConfirmedActionButton
      mutation={useDeleteProfileMutation(kind, name)}
      variables={undefined}
      label="Delete"
      ariaLabel={`Delete ${name}`}
      title={`Delete ${KIND_LABEL[kind]} "${name}"?`}
      confirmLabel={`Delete ${name}`}
    >
      <p>Certificates already issued keep their contents. {USED_BY[kind]}</p>
    </ConfirmedActionButton>
  );
}
