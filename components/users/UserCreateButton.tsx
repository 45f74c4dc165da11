"use client";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { Button } from "@/components/ui/Button";
import { Dialog } from "@/components/ui/Dialog";
import { Field, FormError, Select, TextInput } from "@/components/ui/Field";
import { useSchemaForm } from "@/components/ui/useSchemaForm";
import { ROLE_DESCRIPTIONS, ROLE_LABELS, ROLES } from "@/lib/auth/permissions";
import { ApiError, errorMessage } from "@/lib/console/client/api";
import { useCreateUserMutation } from "@/lib/console/client/queries";
import { createUserBodySchema } from "@/lib/console/schemas/users";
import { SecretOnce } from "./SecretOnce";

export function UserCreateButton() {
  const router = useRouter();
  const [open, setOpen] = useState(false);
  const [formError, setFormError] = useState<string | null>(null);
  const [oneTime, setOneTime] = useState<{ username: string; password: string } | null>(null);
  const mutation = useCreateUserMutation();
  const { values, input, parsed, errorOf, set, setServerErrors, touchAll, reset } = useSchemaForm({
    initial: { username: "", role: "auditor", password: "" },
    schema: createUserBodySchema,
    toInput: (v) => ({ username: v.username, role: v.role, ...(v.password ? { password: v.password } : {}) }),
  });
  const close = () => {
    setOpen(false);
    reset();
    setFormError(null);
    setOneTime(null);
  };
  return (
    <>
      <Button onClick={() => setOpen(true)} data-testid="user-create">
        Create user
      </Button>
      <Dialog
        open={open}
        onClose={close}
        title={oneTime ? `User "${oneTime.username}" created` : "Create a user"}
        footer={
          oneTime ? (
            <Button onClick={close}>Done</Button>
          ) : (
            <>
              <Button variant="secondary" onClick={close}>
                Cancel
              </Button>
              <Button type="submit" form="user-create-form" disabled={mutation.isPending}>
                {mutation.isPending ? "Creating…" : "Create"}
              </Button>
            </>
          )
        }
      >
        {oneTime ? (
          <SecretOnce
            label="One-time password (to be changed at first sign-in)"
            value={oneTime.password}
            testId="one-time-password"
          />
        ) : (
          <form
            id="user-create-form"
            noValidate
            className="space-y-4"
            onSubmit={(e) => {
              e.preventDefault();
              touchAll();
              if (!parsed.success) return;
              setFormError(null);
              mutation.mutate(input, {
                onSuccess: (result) => {
                  router.refresh();
                  if (result.oneTimePassword)
                    setOneTime({ username: result.user.username, password: result.oneTimePassword });
                  else close();
                },
                onError: (err) => {
                  if (err instanceof ApiError && err.invalidParams.length) setServerErrors(err.fieldErrors());
                  else setFormError(errorMessage(err));
                },
              });
            }}
          >
            <Field id="new-username" label="Username" error={errorOf("username")}>
              <TextInput
                id="new-username"
                autoComplete="off"
                value={values.username}
                invalid={!!errorOf("username")}
                onChange={set("username")}
              />
            </Field>
            <Field
              id="new-role"
              label="Role"
              help={ROLE_DESCRIPTIONS[values.role as keyof typeof ROLE_DESCRIPTIONS]}
              error={errorOf("role")}
            >
              <Select id="new-role" value={values.role} onChange={set("role")}>
                {ROLES.map((r) => (
                  <option key={r} value={r}>
                    {ROLE_LABELS[r]}
                  </option>
                ))}
              </Select>
            </Field>
            <Field
              id="new-password"
              label="Password"
              help="Leave empty to generate a one-time password that must be changed at first sign-in."
              error={errorOf("password")}
            >
              <TextInput
                id="new-password"
                type="password"
                autoComplete="new-password"
                value={values.password}
                invalid={!!errorOf("password")}
                onChange={set("password")}
              />
            </Field>
            <FormError message={formError} />
          </form>
        )}
      </Dialog>
    </>
  );
}
