"use client";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { CheckboxField, Field, FormError, TextInput } from "@/components/ui/Field";
import { EditOrCreateButton, FormDialog } from "@/components/ui/FormDialog";
import { useCreateProfileMutation, useUpdateProfileMutation } from "@/lib/console/client/queries";
import type { CertificateProfileView } from "@/lib/console/profiles";
import { createCertificateProfileBodySchema } from "@/lib/console/schemas/profiles";
import {
  type CertificateProfileFields,
  DEFAULT_CERTIFICATE_PROFILE_FIELDS,
  ECDSA_CURVES,
  EXTENDED_KEY_USAGES,
  KEY_ALGORITHMS,
  KEY_USAGES,
  RSA_BIT_LENGTHS,
} from "@/lib/ra/profile-fields";
import { ChoiceGroup, useProfileForm } from "./ProfileFormParts";

type Values = CertificateProfileFields & { name: string; eabNamespace: string };

/** Creates a certificate profile, or (given one) changes its fields; its name never changes. */
export function CertificateProfileDialog({
  profile,
  caNames,
}: {
  profile?: CertificateProfileView;
  /** The CAs that exist, for "Available CAs". */
  caNames: readonly string[];
}) {
  const router = useRouter();
  const editing = profile !== undefined;
  const [open, setOpen] = useState(false);
  const start = profile ?? { name: "", ...DEFAULT_CERTIFICATE_PROFILE_FIELDS };
  const form = useProfileForm<Values>(
    { ...start, eabNamespace: start.eabNamespace ?? "" } as Values,
    createCertificateProfileBodySchema,
  );
  const create = useCreateProfileMutation("certificate-profiles");
  const update = useUpdateProfileMutation("certificate-profiles", profile?.name ?? "");
  const mutation = editing ? update : create;
  const close = () => {
    setOpen(false);
    form.reset();
  };
  const prefix = editing ? `cp-${profile.id}` : "cp-new";
  const v = form.values;
  const cas = [...new Set([...caNames, ...v.availableCas])];
  return (
    <FormDialog
      open={open}
      trigger={
        <EditOrCreateButton
          editing={editing ? profile.name : null}
          createLabel="Create profile"
          createTestId="certificate-profile-create"
          onOpen={() => setOpen(true)}
        />
      }
      onClose={close}
      title={editing ? `Certificate profile "${profile.name}"` : "Create a certificate profile"}
      description="Applies at the next finalize of every alias whose end entity profile names it; certificates already issued keep their contents."
      formId={`${prefix}-form`}
      pending={mutation.isPending}
      submitLabel={editing ? "Save" : "Create"}
      onSubmit={() => {
        if (!form.submit()) return;
        const { name, ...fields } = v;
        mutation.mutate(editing ? fields : { name, ...fields }, {
          onSuccess: () => {
            close();
            router.refresh();
          },
          onError: form.fail,
        });
      }}
    >
      <Field id={`${prefix}-name`} label="Name" error={form.errorOf("name")}>
        <TextInput
          id={`${prefix}-name`}
          value={v.name}
          disabled={editing}
          invalid={!!form.errorOf("name")}
          onChange={(e) => form.set("name", e.target.value)}
        />
      </Field>
      <ChoiceGroup
        id={`${prefix}-algorithms`}
        legend="Available key algorithms"
        help="The key types a CSR may carry; another is refused with badCSR naming this rule."
        choices={KEY_ALGORITHMS}
        selected={v.keyAlgorithms}
        error={form.errorOf("keyAlgorithms")}
        onChange={(next) => form.set("keyAlgorithms", next)}
      />
      <ChoiceGroup
        id={`${prefix}-curves`}
        legend="Available ECDSA curves"
        choices={ECDSA_CURVES}
        selected={v.ecdsaCurves}
        error={form.errorOf("ecdsaCurves")}
        onChange={(next) => form.set("ecdsaCurves", next)}
      />
      <ChoiceGroup
        id={`${prefix}-bits`}
        legend="Available RSA bit lengths"
        help="An RSA key is accepted when its size lies between the smallest and the largest chosen."
        choices={RSA_BIT_LENGTHS}
        selected={v.rsaBitLengths}
        error={form.errorOf("rsaBitLengths")}
        onChange={(next) => form.set("rsaBitLengths", next)}
      />
      <Field
        id={`${prefix}-validity`}
        label="Validity"
        help='Units y (365 days), mo (30 days), d, h, m: e.g. "90d", "6mo", "1y". 1h to 398d (CA/Browser Forum BR §6.3.2).'
        defaultHint={DEFAULT_CERTIFICATE_PROFILE_FIELDS.validity}
        error={form.errorOf("validity")}
      >
        <TextInput
          id={`${prefix}-validity`}
          value={v.validity}
          invalid={!!form.errorOf("validity")}
          onChange={(e) => form.set("validity", e.target.value)}
        />
      </Field>
      <ChoiceGroup
        id={`${prefix}-ku`}
        legend="Key usage"
        help="keyEncipherment and dataEncipherment are written for RSA keys only, keyAgreement for ECDSA keys only."
        choices={KEY_USAGES}
        selected={v.keyUsages}
        error={form.errorOf("keyUsages")}
        onChange={(next) => form.set("keyUsages", next)}
      />
      <ChoiceGroup
        id={`${prefix}-eku`}
        legend="Extended key usage"
        choices={EXTENDED_KEY_USAGES}
        selected={v.extendedKeyUsages}
        error={form.errorOf("extendedKeyUsages")}
        onChange={(next) => form.set("extendedKeyUsages", next)}
      />
      <ChoiceGroup
        id={`${prefix}-cas`}
        legend="Available CAs"
        help="The CAs that may sign under this profile. None chosen: any; an end entity profile without a default CA then uses Keyward's issuing CA."
        choices={cas}
        selected={v.availableCas}
        error={form.errorOf("availableCas")}
        onChange={(next) => form.set("availableCas", next)}
      />
      <CheckboxField
        id={`${prefix}-single`}
        label="Single active certificate constraint"
        help="A new certificate revokes its end entity's earlier unexpired certificates (reason superseded). Only relevant if the alias does not name end entities RANDOM."
        error={form.errorOf("singleActiveCertificate")}
        checked={v.singleActiveCertificate}
        onChange={(checked) => form.set("singleActiveCertificate", checked)}
      />
      <Field
        id={`${prefix}-namespace`}
        label="EAB namespace"
        help="General account binding: only accounts bound by an EAB key of this namespace may register and get certificates under this profile. Empty: any account."
        error={form.errorOf("eabNamespace")}
      >
        <TextInput
          id={`${prefix}-namespace`}
          value={v.eabNamespace}
          invalid={!!form.errorOf("eabNamespace")}
          onChange={(e) => form.set("eabNamespace", e.target.value)}
        />
      </Field>
      <FormError message={form.formError} />
    </FormDialog>
  );
}
