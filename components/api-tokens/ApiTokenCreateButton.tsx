"use client";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { Button } from "@/components/ui/Button";
import { Dialog } from "@/components/ui/Dialog";
import { Field, FormError, Select, TextInput } from "@/components/ui/Field";
import { useSchemaForm } from "@/components/ui/useSchemaForm";
import { SecretOnce } from "@/components/users/SecretOnce";
import { ROLE_DESCRIPTIONS, ROLE_LABELS, type Role } from "@/lib/auth/permissions";
import { ApiError, errorMessage } from "@/lib/console/client/api";
import { useCreateApiTokenMutation } from "@/lib/console/client/queries";
import { createApiTokenBodySchema } from "@/lib/console/schemas/api-tokens";

/**
 * `roles`: the roles the signed-in user may give a token: none allowing more than their own role
 * (the server refuses the others too).
 */
export function ApiTokenCreateButton({ roles }: { roles: readonly Role[] }) {
  const router = useRouter();
  const [open, setOpen] = useState(false);
  const [formError, setFormError] = useState<string | null>(null);
  const [token, setToken] = useState<string | null>(null);
  const mutation = useCreateApiTokenMutation();
  const { values, input, parsed, errorOf, set, setServerErrors, touchAll, reset } = useSchemaForm({
    initial: {
      name: "",
      role: roles.includes("auditor") ? "auditor" : (roles[0] ?? ""),
      expiresInDays: "90",
    },
    schema: createApiTokenBodySchema,
    toInput: (v) => {
      const days = v.expiresInDays.trim();
      // A non-numeric entry is passed on as it is, so that the schema names the field.
      return {
        name: v.name,
        role: v.role,
        expiresInDays: days === "" ? null : /^\d+$/.test(days) ? Number(days) : (days as unknown as number),
      };
    },
  });
  const close = () => {
    setOpen(false);
    reset();
    setToken(null);
    setFormError(null);
  };
  return (
    <>
      <Button onClick={() => setOpen(true)} data-testid="token-create">
        Create token
      </Button>
      <Dialog
        open={open}
        onClose={close}
        title={token ? "Token created" : "Create an API token"}
        footer={
          token ? (
            <Button onClick={close}>Done</Button>
          ) : (
            <>
              <Button variant="secondary" onClick={close}>
                Cancel
              </Button>
              <Button type="submit" form="token-create-form" disabled={mutation.isPending}>
                {mutation.isPending ? "Creating…" : "Create"}
              </Button>
            </>
          )
        }
      >
        {token ? (
          <SecretOnce label="API token" value={token} testId="api-token-value" />
        ) : (
          <form
            id="token-create-form"
            noValidate
            className="space-y-4"
            onSubmit={(e) => {
              e.preventDefault();
              touchAll();
              if (!parsed.success) return;
              setFormError(null);
              mutation.mutate(input, {
                onSuccess: (result) => {
                  setToken(result.token);
                  router.refresh();
                },
                onError: (err) => {
                  if (err instanceof ApiError && err.invalidParams.length) setServerErrors(err.fieldErrors());
                  else setFormError(errorMessage(err));
                },
              });
            }}
          >
            <Field
              id="token-name"
              label="Name"
              help="What the token is for, e.g. the script or job using it."
              error={errorOf("name")}
            >
              <TextInput
                id="token-name"
                autoComplete="off"
                value={values.name}
                invalid={!!errorOf("name")}
                onChange={set("name")}
              />
            </Field>
            <Field
              id="token-role"
              label="Role"
              help={`${ROLE_DESCRIPTIONS[values.role as Role] ?? ""}. A token acts with no more than your own role allows, now and after any change of your role.`}
              error={errorOf("role")}
            >
              <Select id="token-role" value={values.role} onChange={set("role")}>
                {roles.map((r) => (
                  <option key={r} value={r}>
                    {ROLE_LABELS[r]}
                  </option>
                ))}
              </Select>
            </Field>
            <Field
              id="token-expires"
              label="Expires after (days)"
              help="Leave empty for a token that works until revoked."
              error={errorOf("expiresInDays")}
            >
              <TextInput
                id="token-expires"
                inputMode="numeric"
                value={values.expiresInDays}
                invalid={!!errorOf("expiresInDays")}
                onChange={set("expiresInDays")}
              />
            </Field>
            <FormError message={formError} />
          </form>
        )}
      </Dialog>
    </>
  );
}
