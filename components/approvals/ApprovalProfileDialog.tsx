"use client";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { CheckboxField, Field, FormError, TextInput } from "@/components/ui/Field";
import { EditOrCreateButton, FormDialog } from "@/components/ui/FormDialog";
import { useSchemaForm } from "@/components/ui/useSchemaForm";
import type { ApprovalProfileView } from "@/lib/console/approval-profiles";
import { ApiError, errorMessage } from "@/lib/console/client/api";
import {
  useCreateApprovalProfileMutation,
  useUpdateApprovalProfileMutation,
} from "@/lib/console/client/queries";
import { createApprovalProfileBodySchema } from "@/lib/console/schemas/approval-profiles";
import {
  DEFAULT_APPROVAL_PROFILE_FIELDS,
  MAX_APPROVALS_REQUIRED,
  MIN_APPROVALS_REQUIRED,
} from "@/lib/ra/approval-profile-fields";

type Values = { name: string; approvalsRequired: string; requestValidity: string };

/** Creates a profile, or (given one) changes its fields; its name never changes. */
export function ApprovalProfileDialog({ profile }: { profile?: ApprovalProfileView }) {
  const router = useRouter();
  const editing = profile !== undefined;
  const [open, setOpen] = useState(false);
  const [formError, setFormError] = useState<string | null>(null);
  const start = profile ?? { name: "", ...DEFAULT_APPROVAL_PROFILE_FIELDS };
  const [administratorsMayApprove, setAdministrators] = useState(start.administratorsMayApprove);
  const [selfApprovalAllowed, setSelfApproval] = useState(start.selfApprovalAllowed);
  const create = useCreateApprovalProfileMutation();
  const update = useUpdateApprovalProfileMutation(profile?.name ?? "");
  const mutation = editing ? update : create;
  const form = useSchemaForm({
    initial: {
      name: start.name,
      approvalsRequired: String(start.approvalsRequired),
      requestValidity: start.requestValidity,
    } as Values,
    schema: createApprovalProfileBodySchema,
    toInput: (v: Values) => ({
      name: v.name,
      approvalsRequired: /^\d+$/.test(v.approvalsRequired.trim())
        ? Number(v.approvalsRequired)
        : v.approvalsRequired,
      requestValidity: v.requestValidity,
      administratorsMayApprove,
      selfApprovalAllowed,
    }),
  });
  const close = () => {
    setOpen(false);
    form.reset();
    setAdministrators(start.administratorsMayApprove);
    setSelfApproval(start.selfApprovalAllowed);
    setFormError(null);
  };
  const prefix = editing ? `profile-${profile.id}` : "profile-new";
  return (
    <FormDialog
      open={open}
      trigger={
        <EditOrCreateButton
          editing={editing ? profile.name : null}
          createLabel="Create profile"
          createTestId="approval-profile-create"
          onOpen={() => setOpen(true)}
        />
      }
      onClose={close}
      title={editing ? `Approval profile "${profile.name}"` : "Create an approval profile"}
      description="Requests made under a profile keep the rules they were made with; changes apply to new requests."
      formId={`${prefix}-form`}
      pending={mutation.isPending}
      submitLabel={editing ? "Save" : "Create"}
      onSubmit={() => {
        form.touchAll();
        if (!form.parsed.success) return;
        setFormError(null);
        const { name: _, ...fields } = form.input;
        mutation.mutate(editing ? fields : form.input, {
          onSuccess: () => {
            close();
            router.refresh();
          },
          onError: (err) => {
            if (err instanceof ApiError && err.invalidParams.length) form.setServerErrors(err.fieldErrors());
            else setFormError(errorMessage(err));
          },
        });
      }}
    >
      <Field id={`${prefix}-name`} label="Name" error={form.errorOf("name")}>
        <TextInput
          id={`${prefix}-name`}
          value={form.values.name}
          disabled={editing}
          invalid={!!form.errorOf("name")}
          onChange={form.set("name")}
        />
      </Field>
      <Field
        id={`${prefix}-approvals`}
        label="Approvals required"
        help={`How many approvers must accept a request (${MIN_APPROVALS_REQUIRED} to ${MAX_APPROVALS_REQUIRED}); one rejection ends it.`}
        error={form.errorOf("approvalsRequired")}
      >
        <TextInput
          id={`${prefix}-approvals`}
          inputMode="numeric"
          value={form.values.approvalsRequired}
          invalid={!!form.errorOf("approvalsRequired")}
          onChange={form.set("approvalsRequired")}
        />
      </Field>
      <Field
        id={`${prefix}-validity`}
        label="Request validity"
        help='How long a request stays open: units d, h, m, s, e.g. "7d" or "2d 12h". An expired registration is final for its key; an expired key change is renewed when the client asks again.'
        defaultHint={DEFAULT_APPROVAL_PROFILE_FIELDS.requestValidity}
        error={form.errorOf("requestValidity")}
      >
        <TextInput
          id={`${prefix}-validity`}
          value={form.values.requestValidity}
          invalid={!!form.errorOf("requestValidity")}
          onChange={form.set("requestValidity")}
        />
      </Field>
      <CheckboxField
        id={`${prefix}-administrators`}
        label="Administrators may approve"
        help="Approvers always may. Ticked, administrators may decide these requests too."
        checked={administratorsMayApprove}
        onChange={setAdministrators}
      />
      <CheckboxField
        id={`${prefix}-self`}
        label="Self-approval allowed"
        help="Whether a person may decide a request whose contacts name them (mailto:<their username>)."
        checked={selfApprovalAllowed}
        onChange={setSelfApproval}
      />
      <FormError message={formError} />
    </FormDialog>
  );
}
