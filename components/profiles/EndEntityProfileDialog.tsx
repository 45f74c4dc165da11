"use client";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { CheckboxField, Field, FormError, Select, TextInput } from "@/components/ui/Field";
import { EditOrCreateButton, FormDialog } from "@/components/ui/FormDialog";
import { useCreateProfileMutation, useUpdateProfileMutation } from "@/lib/console/client/queries";
import type { EndEntityProfileView } from "@/lib/console/profiles";
import { createEndEntityProfileBodySchema } from "@/lib/console/schemas/profiles";
import {
  DEFAULT_END_ENTITY_PROFILE_FIELDS,
  type EndEntityProfileFields,
  MAX_SAN_FIELDS,
  SUBJECT_DN_ATTRIBUTES,
} from "@/lib/ra/profile-fields";
import { ChoiceGroup, useProfileForm } from "./ProfileFormParts";

type Values = Omit<
  EndEntityProfileFields,
  "maxDnsNames" | "maxIpAddresses" | "defaultCertificateProfile" | "defaultCa"
> & {
  name: string;
  maxDnsNames: number | string;
  maxIpAddresses: number | string;
  defaultCertificateProfile: string;
  defaultCa: string;
};

const asCount = (text: number | string) =>
  typeof text === "string" && /^\d+$/.test(text.trim()) ? Number(text) : text;

/** Creates an end entity profile, or (given one) changes its fields; its name never changes. */
export function EndEntityProfileDialog({
  profile,
  certificateProfiles,
  caNames,
}: {
  profile?: EndEntityProfileView;
  certificateProfiles: readonly string[];
  caNames: readonly string[];
}) {
  const router = useRouter();
  const editing = profile !== undefined;
  const [open, setOpen] = useState(false);
  const start = profile ?? { name: "", ...DEFAULT_END_ENTITY_PROFILE_FIELDS };
  const initial: Values = {
    ...start,
    maxDnsNames: String(start.maxDnsNames),
    maxIpAddresses: String(start.maxIpAddresses),
    defaultCertificateProfile: start.defaultCertificateProfile ?? "",
    defaultCa: start.defaultCa ?? "",
  };
  const toInput = (v: Values) => ({
    ...v,
    maxDnsNames: asCount(v.maxDnsNames),
    maxIpAddresses: asCount(v.maxIpAddresses),
  });
  const form = useProfileForm<Values>(initial, createEndEntityProfileBodySchema, toInput);
  const create = useCreateProfileMutation("end-entity-profiles");
  const update = useUpdateProfileMutation("end-entity-profiles", profile?.name ?? "");
  const mutation = editing ? update : create;
  const close = () => {
    setOpen(false);
    form.reset();
  };
  const prefix = editing ? `eep-${profile.id}` : "eep-new";
  const v = form.values;
  const clientError = form.errorOf;
  return (
    <FormDialog
      open={open}
      trigger={
        <EditOrCreateButton
          editing={editing ? profile.name : null}
          createLabel="Create profile"
          createTestId="end-entity-profile-create"
          onOpen={() => setOpen(true)}
        />
      }
      onClose={close}
      title={editing ? `End entity profile "${profile.name}"` : "Create an end entity profile"}
      description="An alias that names this profile issues with its default certificate profile and CA."
      formId={`${prefix}-form`}
      pending={mutation.isPending}
      submitLabel={editing ? "Save" : "Create"}
      onSubmit={() => {
        if (!form.submit()) return;
        const { name, ...fields } = form.input;
        mutation.mutate(editing ? fields : { name, ...fields }, {
          onSuccess: () => {
            close();
            router.refresh();
          },
          onError: form.fail,
        });
      }}
    >
      <Field id={`${prefix}-name`} label="Name" error={clientError("name")}>
        <TextInput
          id={`${prefix}-name`}
          value={v.name}
          disabled={editing}
          invalid={!!clientError("name")}
          onChange={(e) => form.set("name", e.target.value)}
        />
      </Field>
      <p className="text-sm text-slate-700">
        <span className="font-medium">CN, common name:</span> required and modifiable. At least one of the
        order's identifiers is written into it; every CN of the CSR when it has several.
      </p>
      <ChoiceGroup
        id={`${prefix}-dn`}
        legend="Other subject DN attributes"
        help="Copied from the CSR's subject when present (not validated); others in the CSR are left out."
        choices={SUBJECT_DN_ATTRIBUTES}
        selected={v.subjectDnAttributes}
        error={clientError("subjectDnAttributes")}
        onChange={(next) => form.set("subjectDnAttributes", next)}
      />
      <Field
        id={`${prefix}-dns`}
        label="SAN DNS name fields"
        help={`How many DNS names a certificate may carry (0 to ${MAX_SAN_FIELDS}); an order with more is refused (rejectedIdentifier).`}
        defaultHint={DEFAULT_END_ENTITY_PROFILE_FIELDS.maxDnsNames}
        error={clientError("maxDnsNames")}
      >
        <TextInput
          id={`${prefix}-dns`}
          inputMode="numeric"
          value={String(v.maxDnsNames)}
          invalid={!!clientError("maxDnsNames")}
          onChange={(e) => form.set("maxDnsNames", e.target.value)}
        />
      </Field>
      <Field
        id={`${prefix}-ip`}
        label="SAN IP address fields"
        help={`How many IP addresses a certificate may carry (0 to ${MAX_SAN_FIELDS}).`}
        defaultHint={DEFAULT_END_ENTITY_PROFILE_FIELDS.maxIpAddresses}
        error={clientError("maxIpAddresses")}
      >
        <TextInput
          id={`${prefix}-ip`}
          inputMode="numeric"
          value={String(v.maxIpAddresses)}
          invalid={!!clientError("maxIpAddresses")}
          onChange={(e) => form.set("maxIpAddresses", e.target.value)}
        />
      </Field>
      <Field
        id={`${prefix}-cp`}
        label="Default certificate profile"
        help="The certificate profile of every certificate an alias naming this profile issues."
        defaultHint="Built-in (90 days, serverAuth)"
        error={clientError("defaultCertificateProfile")}
      >
        <Select
          id={`${prefix}-cp`}
          value={v.defaultCertificateProfile}
          invalid={!!clientError("defaultCertificateProfile")}
          onChange={(e) => form.set("defaultCertificateProfile", e.target.value)}
        >
          <option value="">Built-in</option>
          {certificateProfiles.map((p) => (
            <option key={p} value={p}>
              {p}
            </option>
          ))}
        </Select>
      </Field>
      <Field
        id={`${prefix}-ca`}
        label="Default CA"
        help="The CA that signs; it must be one of the certificate profile's available CAs."
        defaultHint="The certificate profile's first available CA, else Keyward's issuing CA"
        error={clientError("defaultCa")}
      >
        <Select
          id={`${prefix}-ca`}
          value={v.defaultCa}
          invalid={!!clientError("defaultCa")}
          onChange={(e) => form.set("defaultCa", e.target.value)}
        >
          <option value="">Default</option>
          {caNames.map((ca) => (
            <option key={ca} value={ca}>
              {ca}
            </option>
          ))}
        </Select>
      </Field>
      <CheckboxField
        id={`${prefix}-batch`}
        label="Batch generation (clear text pwd storage)"
        help="End entities may be reset and enrolled again. Needed by aliases whose RA name generation scheme is not RANDOM."
        error={form.errorOf("batchGeneration")}
        checked={v.batchGeneration}
        onChange={(checked) => form.set("batchGeneration", checked)}
      />
      <FormError message={form.formError} />
    </FormDialog>
  );
}
