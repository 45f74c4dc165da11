"use client";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { Button } from "@/components/ui/Button";
import { Dialog } from "@/components/ui/Dialog";
import { Field, FormError, TextInput } from "@/components/ui/Field";
import { useSchemaForm } from "@/components/ui/useSchemaForm";
import { ApiError, errorMessage } from "@/lib/console/client/api";
import { usePublishTermsMutation } from "@/lib/console/client/queries";
import { publishTermsBodySchema } from "@/lib/console/schemas/terms";

/**
 * Publishes new terms of service for an alias: a new URL (and the page that tells clients how to
 * agree), in effect from now. Says beforehand what happens to existing accounts.
 */
export function TermsPublishButton({
  alias,
  currentChangeUrl,
  requireNewApproval,
  agreeToNewAllowed,
}: {
  alias: string;
  currentChangeUrl: string | null;
  requireNewApproval: boolean;
  agreeToNewAllowed: boolean;
}) {
  const router = useRouter();
  const [open, setOpen] = useState(false);
  const [formError, setFormError] = useState<string | null>(null);
  const mutation = usePublishTermsMutation(alias);
  const form = useSchemaForm({
    initial: { url: "", changeUrl: currentChangeUrl ?? "" },
    schema: publishTermsBodySchema,
    toInput: (v) => ({ url: v.url, changeUrl: v.changeUrl }),
  });
  const close = () => {
    setOpen(false);
    form.reset();
    setFormError(null);
  };
  return (
    <>
      <Button onClick={() => setOpen(true)} data-testid="terms-publish">
        Publish new terms
      </Button>
      <Dialog
        open={open}
        onClose={close}
        title={`Publish new terms of service for "${alias}"`}
        description={
          requireNewApproval
            ? agreeToNewAllowed
              ? "From now on the directory names the new terms, and existing accounts can do nothing but agree to them (an account update with termsOfServiceAgreed: true) or deactivate."
              : "From now on the directory names the new terms, and existing accounts are refused: agreeing is not allowed on this alias, so their holders must register new accounts with new keys."
            : "From now on the directory names the new terms. Existing accounts keep working: this alias does not require agreement to changed terms."
        }
        footer={
          <>
            <Button variant="secondary" onClick={close}>
              Cancel
            </Button>
            <Button type="submit" form="terms-publish-form" disabled={mutation.isPending}>
              {mutation.isPending ? "Publishing…" : "Publish"}
            </Button>
          </>
        }
      >
        <form
          id="terms-publish-form"
          noValidate
          className="space-y-4"
          onSubmit={(e) => {
            e.preventDefault();
            form.touchAll();
            if (!form.parsed.success) return;
            setFormError(null);
            mutation.mutate(form.parsed.data, {
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
            id="terms-url"
            label="Terms of service URL"
            help="The new terms, at a URL of their own: clients recognise new terms by their URL."
            error={form.errorOf("url")}
          >
            <TextInput
              id="terms-url"
              placeholder="https://"
              value={form.values.url}
              invalid={!!form.errorOf("url")}
              onChange={form.set("url")}
            />
          </Field>
          <Field
            id="terms-change-url"
            label="Changes of terms of service URL"
            help="Where a person learns how to agree to the new terms (the problem's instance URL, RFC 8555 §7.3.3). Optional."
            error={form.errorOf("changeUrl")}
          >
            <TextInput
              id="terms-change-url"
              placeholder="https://"
              value={form.values.changeUrl}
              invalid={!!form.errorOf("changeUrl")}
              onChange={form.set("changeUrl")}
            />
          </Field>
          <FormError message={formError} />
        </form>
      </Dialog>
    </>
  );
}
