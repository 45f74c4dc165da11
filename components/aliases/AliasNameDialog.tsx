"use client";
import { useState } from "react";
import { Button } from "@/components/ui/Button";
import { Dialog } from "@/components/ui/Dialog";
import { Field, FormError, TextInput } from "@/components/ui/Field";
import { ApiError, errorMessage } from "@/lib/console/client/api";
import { aliasNameSchema } from "@/lib/console/schemas/aliases";

/** Asks for an alias name (create, clone, rename), checked as you type with the server's rule. */
export function AliasNameDialog({
  open,
  onClose,
  title,
  description,
  submitLabel,
  initialName = "",
  field,
  onSubmit,
}: {
  open: boolean;
  onClose: () => void;
  title: string;
  description?: React.ReactNode;
  submitLabel: string;
  initialName?: string;
  /** The body field the server names in its refusals ("name" or "newName"). */
  field: "name" | "newName";
  onSubmit: (name: string) => Promise<void>;
}) {
  const [name, setName] = useState(initialName);
  const [touched, setTouched] = useState(false);
  const [serverError, setServerError] = useState<string | null>(null);
  const [formError, setFormError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const parsed = aliasNameSchema.safeParse(name);
  const clientError = parsed.success ? undefined : parsed.error.issues[0]?.message;
  const error = serverError ?? (touched ? clientError : undefined);
  const close = () => {
    setName(initialName);
    setTouched(false);
    setServerError(null);
    setFormError(null);
    onClose();
  };
  return (
    <Dialog
      open={open}
      onClose={close}
      title={title}
      description={description}
      footer={
        <>
          <Button variant="secondary" onClick={close} disabled={pending}>
            Cancel
          </Button>
          <Button type="submit" form={`alias-name-${field}-form`} disabled={pending}>
            {pending ? "Working…" : submitLabel}
          </Button>
        </>
      }
    >
      <form
        id={`alias-name-${field}-form`}
        noValidate
        onSubmit={async (e) => {
          e.preventDefault();
          setTouched(true);
          if (!parsed.success) return;
          setPending(true);
          setFormError(null);
          try {
            await onSubmit(name);
            close();
          } catch (err) {
            if (err instanceof ApiError && err.invalidParams.length)
              setServerError(err.fieldErrors()[field] ?? err.detail);
            else setFormError(errorMessage(err));
          } finally {
            setPending(false);
          }
        }}
        className="space-y-3"
      >
        <Field
          id={`alias-${field}`}
          label="Alias name"
          help="1 to 250 letters, digits, '-' and '_'; case-sensitive. It becomes part of the ACME URLs: /acme/<name>/directory."
          error={error}
        >
          <TextInput
            id={`alias-${field}`}
            name={field}
            value={name}
            autoFocus
            autoComplete="off"
            invalid={!!error}
            onChange={(e) => {
              setName(e.target.value);
              setTouched(true);
              setServerError(null);
            }}
          />
        </Field>
        <FormError message={formError} />
      </form>
    </Dialog>
  );
}
