"use client";
// The certificate authorities page's actions (administrators; the server checks the role again
// and audits each): create a root or sub-CA, import an external CA (with the external chain above
// it), add or replace that chain, renew, cross-certify, delete an unused CA.
import { useRouter } from "next/navigation";
import { useState } from "react";
import { Button } from "@/components/ui/Button";
import { ConfirmDialog } from "@/components/ui/ConfirmDialog";
import { ConfirmedActionButton } from "@/components/ui/ConfirmedActionButton";
import { Field, FormError, Select, TextArea, TextInput } from "@/components/ui/Field";
import { FormDialog } from "@/components/ui/FormDialog";
import { useSchemaForm } from "@/components/ui/useSchemaForm";
import { ApiError, errorMessage } from "@/lib/console/client/api";
import {
  useCreateCaMutation,
  useCrossCertifyCaMutation,
  useDeleteCaMutation,
  useImportCaMutation,
  useRenewCaMutation,
  useSetCaExternalChainMutation,
} from "@/lib/console/client/queries";
import {
  CA_KEY_ALGORITHMS,
  createCaBodySchema,
  externalChainBodySchema,
  importCaBodySchema,
} from "@/lib/console/schemas/authorities";

export type CaOption = { id: string; name: string };

function useDialogForm<E>(onDone: () => void) {
  const router = useRouter();
  const [formError, setFormError] = useState<string | null>(null);
  const handlers = (setServerErrors: (e: Record<string, string>) => void) => ({
    onSuccess: () => {
      onDone();
      router.refresh();
    },
    onError: (err: E) => {
      if (err instanceof ApiError && err.invalidParams.length) setServerErrors(err.fieldErrors());
      else setFormError(errorMessage(err));
    },
  });
  return { formError, setFormError, handlers };
}

/** Creates a root CA, or a sub-CA signed by one of the roots. */
export function CaCreateButton({ roots }: { roots: readonly CaOption[] }) {
  const [open, setOpen] = useState(false);
  const mutation = useCreateCaMutation();
  const form = useSchemaForm({
    initial: { kind: "root", parentId: "", subjectDn: "", keyAlgorithm: "ECDSA-P256", validityDays: "" },
    schema: createCaBodySchema,
    toInput: (v) => ({
      kind: v.kind as "root" | "sub",
      ...(v.kind === "sub" ? { parentId: v.parentId || undefined } : {}),
      subjectDn: v.subjectDn,
      keyAlgorithm: v.keyAlgorithm as (typeof CA_KEY_ALGORITHMS)[number],
      ...(v.validityDays.trim() ? { validityDays: Number(v.validityDays.trim()) } : {}),
    }),
  });
  const close = () => {
    setOpen(false);
    form.reset();
    dialog.setFormError(null);
  };
  const dialog = useDialogForm<Error>(close);
  return (
    <FormDialog
      trigger={
        <Button onClick={() => setOpen(true)} data-testid="ca-create">
          Create CA
        </Button>
      }
      open={open}
      onClose={close}
      title="Create a certificate authority"
      description="A new key is generated and sealed with the master key; it never leaves Keyward."
      formId="ca-create-form"
      pending={mutation.isPending}
      submitLabel="Create"
      pendingLabel="Creating…"
      onSubmit={() => {
        form.touchAll();
        if (!form.parsed.success) return;
        dialog.setFormError(null);
        mutation.mutate(form.input, dialog.handlers(form.setServerErrors));
      }}
    >
      <Field id="ca-kind" label="Kind" error={form.errorOf("kind")}>
        <Select id="ca-kind" value={form.values.kind} onChange={form.set("kind")}>
          <option value="root">Root CA (self-signed)</option>
          <option value="sub">Sub-CA signed by a Keyward root (issues certificates)</option>
        </Select>
      </Field>
      {form.values.kind === "sub" && (
        <Field id="ca-parent" label="Signed by" error={form.errorOf("parentId")}>
          <Select
            id="ca-parent"
            value={form.values.parentId}
            invalid={!!form.errorOf("parentId")}
            onChange={form.set("parentId")}
          >
            <option value="">Choose a root CA</option>
            {roots.map((root) => (
              <option key={root.id} value={root.id}>
                {root.name}
              </option>
            ))}
          </Select>
        </Field>
      )}
      <Field
        id="ca-subject"
        label="Subject DN"
        help='Attributes separated by commas; a CN is required and names the CA, e.g. "CN=Example Issuing CA 2, O=Example".'
        error={form.errorOf("subjectDn")}
      >
        <TextInput
          id="ca-subject"
          value={form.values.subjectDn}
          invalid={!!form.errorOf("subjectDn")}
          onChange={form.set("subjectDn")}
        />
      </Field>
      <Field id="ca-algorithm" label="Key algorithm, size or curve" error={form.errorOf("keyAlgorithm")}>
        <Select id="ca-algorithm" value={form.values.keyAlgorithm} onChange={form.set("keyAlgorithm")}>
          {CA_KEY_ALGORITHMS.map((a) => (
            <option key={a} value={a}>
              {a}
            </option>
          ))}
        </Select>
      </Field>
      <Field
        id="ca-validity"
        label="Validity (days)"
        help="Empty: 7300 days (20 years) for a root, 3650 (10 years) for a sub-CA; a sub-CA never outlives its root."
        error={form.errorOf("validityDays")}
      >
        <TextInput
          id="ca-validity"
          inputMode="numeric"
          value={form.values.validityDays}
          invalid={!!form.errorOf("validityDays")}
          onChange={form.set("validityDays")}
        />
      </Field>
      <FormError message={dialog.formError} />
    </FormDialog>
  );
}

/** Imports an external CA: its certificate and PKCS#8 private key. */
export function CaImportButton() {
  const [open, setOpen] = useState(false);
  const mutation = useImportCaMutation();
  const form = useSchemaForm({
    initial: { certificate: "", privateKey: "", externalChain: "" },
    schema: importCaBodySchema,
    toInput: (v) => ({
      certificate: v.certificate,
      privateKey: v.privateKey,
      ...(v.externalChain.trim() ? { externalChain: v.externalChain } : {}),
    }),
  });
  const close = () => {
    setOpen(false);
    form.reset();
    dialog.setFormError(null);
  };
  const dialog = useDialogForm<Error>(close);
  return (
    <FormDialog
      trigger={
        <Button variant="secondary" onClick={() => setOpen(true)} data-testid="ca-import">
          Import CA
        </Button>
      }
      open={open}
      onClose={close}
      title="Import an external CA"
      description="The key must belong to the certificate. It is sealed with the master key at once and never shown again."
      formId="ca-import-form"
      pending={mutation.isPending}
      submitLabel="Import"
      pendingLabel="Importing…"
      onSubmit={() => {
        form.touchAll();
        if (!form.parsed.success) return;
        dialog.setFormError(null);
        mutation.mutate(form.input, dialog.handlers(form.setServerErrors));
      }}
    >
      <Field
        id="ca-import-certificate"
        label="CA certificate"
        help="PEM, or base64 of the DER. Self-signed: it becomes a root; otherwise an issuing CA."
        error={form.errorOf("certificate")}
      >
        <TextArea
          id="ca-import-certificate"
          rows={6}
          placeholder="-----BEGIN CERTIFICATE-----"
          value={form.values.certificate}
          invalid={!!form.errorOf("certificate")}
          onChange={form.set("certificate")}
        />
      </Field>
      <Field
        id="ca-import-key"
        label="Private key (PKCS#8, unencrypted)"
        help="PEM (-----BEGIN PRIVATE KEY-----), or base64 of the DER. ECDSA P-256/P-384 or RSA 2048/3072/4096."
        error={form.errorOf("privateKey")}
      >
        <TextArea
          id="ca-import-key"
          rows={6}
          placeholder="-----BEGIN PRIVATE KEY-----"
          value={form.values.privateKey}
          invalid={!!form.errorOf("privateKey")}
          onChange={form.set("privateKey")}
        />
      </Field>
      <Field
        id="ca-import-chain"
        label="Issuer's chain (optional)"
        help="Only for a CA signed outside Keyward: the PEM certificates above it, its issuer first, up to and including the root. ACME clients receive it with every certificate the CA issues. It can be added later."
        error={form.errorOf("externalChain")}
      >
        <TextArea
          id="ca-import-chain"
          rows={6}
          placeholder="-----BEGIN CERTIFICATE-----"
          value={form.values.externalChain}
          invalid={!!form.errorOf("externalChain")}
          onChange={form.set("externalChain")}
        />
      </Field>
      <FormError message={dialog.formError} />
    </FormDialog>
  );
}

/** Adds or replaces the external chain of a CA signed outside Keyward. */
export function CaExternalChainButton({
  id,
  name,
  hasChain,
}: {
  id: string;
  name: string;
  hasChain: boolean;
}) {
  const [open, setOpen] = useState(false);
  const mutation = useSetCaExternalChainMutation(id);
  const form = useSchemaForm({
    initial: { externalChain: "" },
    schema: externalChainBodySchema,
    toInput: (v) => v,
  });
  const close = () => {
    setOpen(false);
    form.reset();
    dialog.setFormError(null);
  };
  const dialog = useDialogForm<Error>(close);
  const title = `${hasChain ? "Replace" : "Add"} the issuer's chain of "${name}"`;
  return (
    <FormDialog
      trigger={
        <Button size="sm" variant="secondary" onClick={() => setOpen(true)} aria-label={title}>
          {hasChain ? "Replace chain" : "Add chain"}
        </Button>
      }
      open={open}
      onClose={close}
      title={title}
      description="Each certificate must sign the one before it, the first this CA, up to a self-signed root; each must be a CA certificate valid today."
      formId="ca-chain-form"
      pending={mutation.isPending}
      submitLabel="Save"
      pendingLabel="Saving…"
      onSubmit={() => {
        form.touchAll();
        if (!form.parsed.success) return;
        dialog.setFormError(null);
        mutation.mutate(form.input, dialog.handlers(form.setServerErrors));
      }}
    >
      <Field
        id="ca-chain"
        label="Chain (PEM)"
        help="The CA's issuer first, up to and including the root."
        error={form.errorOf("externalChain")}
      >
        <TextArea
          id="ca-chain"
          rows={10}
          placeholder="-----BEGIN CERTIFICATE-----"
          value={form.values.externalChain}
          invalid={!!form.errorOf("externalChain")}
          onChange={form.set("externalChain")}
        />
      </Field>
      <FormError message={dialog.formError} />
    </FormDialog>
  );
}

/** Deletes a CA that has issued nothing and that nothing refers to, after a confirmation naming it. */
export function CaDeleteButton({ id, name }: { id: string; name: string }) {
  return (
    <ConfirmedActionButton
      mutation={useDeleteCaMutation(id)}
      variables={undefined}
      label="Delete"
      ariaLabel={`Delete ${name}`}
      title={`Delete CA "${name}"?`}
      confirmLabel={`Delete ${name}`}
    >
      <p>
        Its certificate and private key are deleted for good. Only a CA that has issued nothing and that no
        CA, profile, alias or access rule refers to can be deleted; a CA that has issued stays until its
        certificates are revoked or expire.
      </p>
    </ConfirmedActionButton>
  );
}

/** Renews a CA with the same or a new key, after a confirmation naming it. */
export function CaRenewButton({ id, name }: { id: string; name: string }) {
  const router = useRouter();
  const [open, setOpen] = useState(false);
  const [newKey, setNewKey] = useState(false);
  const mutation = useRenewCaMutation(id);
  return (
    <>
      <Button size="sm" variant="secondary" onClick={() => setOpen(true)} aria-label={`Renew ${name}`}>
        Renew
      </Button>
      <ConfirmDialog
        open={open}
        onClose={() => setOpen(false)}
        title={`Renew "${name}"?`}
        confirmLabel={newKey ? "Renew with a new key" : "Renew with the same key"}
        danger={false}
        pending={mutation.isPending}
        error={mutation.error ? errorMessage(mutation.error) : null}
        onConfirm={() =>
          mutation.mutate(
            { newKey },
            {
              onSuccess: () => {
                setOpen(false);
                router.refresh();
              },
            },
          )
        }
      >
        <fieldset className="space-y-2 text-sm">
          <legend className="mb-2">
            A new certificate for the same subject, valid as long as the current one.
          </legend>
          <label className="flex items-start gap-2">
            <input type="radio" name={`renew-${id}`} checked={!newKey} onChange={() => setNewKey(false)} />
            <span>
              <strong>Same key</strong>: the CA keeps its id; certificates it issued keep chaining.
            </span>
          </label>
          <label className="flex items-start gap-2">
            <input type="radio" name={`renew-${id}`} checked={newKey} onChange={() => setNewKey(true)} />
            <span>
              <strong>New key</strong>: a successor CA with the same subject issues from now on (end entity
              profiles that chose this CA follow it); this CA keeps publishing the CRL of what it issued.
            </span>
          </label>
        </fieldset>
      </ConfirmDialog>
    </>
  );
}

/** Cross-certifies an issuing CA under another root, after a confirmation naming both. */
export function CaCrossCertifyButton({
  id,
  name,
  roots,
}: {
  id: string;
  name: string;
  roots: readonly CaOption[];
}) {
  const router = useRouter();
  const [open, setOpen] = useState(false);
  const [issuerId, setIssuerId] = useState("");
  const mutation = useCrossCertifyCaMutation(id);
  const issuer = roots.find((r) => r.id === issuerId);
  if (roots.length === 0) return null;
  return (
    <>
      <Button
        size="sm"
        variant="secondary"
        onClick={() => setOpen(true)}
        aria-label={`Cross-certify ${name}`}
      >
        Cross-certify
      </Button>
      <ConfirmDialog
        open={open}
        onClose={() => setOpen(false)}
        title={issuer ? `Cross-certify "${name}" by "${issuer.name}"?` : `Cross-certify "${name}"`}
        confirmLabel="Cross-certify"
        danger={false}
        pending={mutation.isPending}
        error={mutation.error ? errorMessage(mutation.error) : null}
        onConfirm={() => {
          if (!issuerId) return;
          mutation.mutate(
            { issuerId },
            {
              onSuccess: () => {
                setOpen(false);
                router.refresh();
              },
            },
          );
        }}
      >
        <p className="mb-3 text-sm">
          The root signs a second certificate for this CA's key, so its certificates get a second chain, which
          ACME clients receive as an alternate (RFC 8555 §7.4.2) unless an alias prefers one root.
        </p>
        <Field id={`cross-${id}`} label="Root CA that cross-certifies">
          <Select id={`cross-${id}`} value={issuerId} onChange={(e) => setIssuerId(e.target.value)}>
            <option value="">Choose a root CA</option>
            {roots.map((root) => (
              <option key={root.id} value={root.id}>
                {root.name}
              </option>
            ))}
          </Select>
        </Field>
      </ConfirmDialog>
    </>
  );
}
