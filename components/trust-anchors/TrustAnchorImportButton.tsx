"use client";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { Button } from "@/components/ui/Button";
import { Dialog } from "@/components/ui/Dialog";
import { Field, FormError, TextArea } from "@/components/ui/Field";
import { useSchemaForm } from "@/components/ui/useSchemaForm";
import { ApiError, errorMessage } from "@/lib/console/client/api";
import { useImportTrustAnchorMutation } from "@/lib/console/client/queries";
import { trustAnchorBodySchema } from "@/lib/console/schemas/trust-anchors";

/** Imports a CA certificate that ACME client certificates may chain to. */
export function TrustAnchorImportButton() {
  const router = useRouter();
  const [open, setOpen] = useState(false);
  const [formError, setFormError] = useState<string | null>(null);
  const mutation = useImportTrustAnchorMutation();
  const form = useSchemaForm({
    initial: { certificatePem: "" },
    schema: trustAnchorBodySchema,
    toInput: (v) => ({ certificatePem: v.certificatePem }),
  });
  const close = () => {
    setOpen(false);
    form.reset();
    setFormError(null);
  };
  return (
    <>
      <Button onClick={() => setOpen(true)} data-testid="trust-anchor-import">
        Import CA certificate
      </Button>
      <Dialog
        open={open}
        onClose={close}
        title="Import a trust anchor"
        description="Client certificates issued under this CA can then authenticate ACME clients (as far as an alias's access rules allow)."
        footer={
          <>
            <Button variant="secondary" onClick={close}>
              Cancel
            </Button>
            <Button type="submit" form="trust-anchor-form" disabled={mutation.isPending}>
              {mutation.isPending ? "Importing…" : "Import"}
            </Button>
          </>
        }
      >
        <form
          id="trust-anchor-form"
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            form.touchAll();
            if (!form.parsed.success) return;
            setFormError(null);
            mutation.mutate(form.input.certificatePem, {
              onSuccess: () => {
                close();
                router.refresh();
              },
              onError: (err) => {
                if (err instanceof ApiError && err.invalidParams.length)
                  form.setServerErrors(err.fieldErrors());
                else setFormError(errorMessage(err));
              },
            });
          }}
        >
          <Field
            id="trust-anchor-pem"
            label="CA certificate (PEM)"
            help="One CA certificate (basicConstraints cA set). Keyward checks the revocation status only of certificates it issued itself."
            error={form.errorOf("certificatePem")}
          >
            <TextArea
              id="trust-anchor-pem"
              rows={8}
              placeholder="-----BEGIN CERTIFICATE-----"
              value={form.values.certificatePem}
              invalid={!!form.errorOf("certificatePem")}
              onChange={form.set("certificatePem")}
            />
          </Field>
          <div className="mt-4">
            <FormError message={formError} />
          </div>
        </form>
      </Dialog>
    </>
  );
}
