"use client";
import { useRouter } from "next/navigation";
import { useMemo, useState } from "react";
import { Badge } from "@/components/ui/Badge";
import { Button } from "@/components/ui/Button";
import { Card, CardBody, CardHeader } from "@/components/ui/Card";
import { CheckboxField, Field, FormError, Select, TextArea, TextInput } from "@/components/ui/Field";
import { useToast } from "@/components/ui/Toast";
import { useUnsavedChangesWarning } from "@/components/ui/useUnsavedChangesWarning";
import type { AliasWarning } from "@/lib/console/aliases";
import { ApiError, errorMessage } from "@/lib/console/client/api";
import { useStoreAliasMutation } from "@/lib/console/client/queries";
import { aliasSettingsInputSchema } from "@/lib/console/schemas/aliases";
import type { AliasSettings, NotEnforcedAliasField } from "@/lib/ra/alias-settings";
import {
  ALIAS_FIELD_DEPENDS_ON,
  ALIAS_FIELD_GROUPS,
  type AliasFieldSpec,
  aliasFieldLabel,
  defaultHint,
} from "./alias-fields";
import { type AliasFormValues, formValuesToSettingsInput, settingsToFormValues } from "./alias-form-values";

/** A root CA as the alias form offers it (app/(console)/aliases/[alias]/page.tsx builds the list). */
export type AliasRootCaChoice = { id: string; label: string; subjectDn: string };

/** Fields the form shows but another action changes (kind "readonly"): never sent with a store. */
const READONLY_FIELDS = ALIAS_FIELD_GROUPS.flatMap((g) => g.fields)
  .filter((f) => f.kind.type === "readonly")
  .map((f) => f.name);

function editableInput(values: AliasFormValues): Record<string, unknown> {
  const input = formValuesToSettingsInput(values);
  for (const field of READONLY_FIELDS) delete input[field];
  return input;
}

/** The badge beside every field that is stored but changes nothing yet. */
const NOT_ENFORCED_BADGE = "Not enforced yet";

/**
 * Every field of an alias, grouped as the spec groups them, validated as you type with the
 * schema the server uses; the server's refusal is shown next to the field it names. Fields the
 * server lists as not enforced yet carry a badge with the reason, so none looks like protection.
 */
export function AliasSettingsForm({
  name,
  settings,
  notEnforced,
  warnings: storedWarnings,
  configured,
  canManage,
  approvalProfiles,
  endEntityProfiles = [],
  rootCas,
}: {
  name: string;
  settings: AliasSettings;
  notEnforced: readonly NotEnforcedAliasField[];
  /** Consequences of the stored settings (lib/console/aliases.ts AliasDetail.warnings). */
  warnings: readonly AliasWarning[];
  configured: boolean;
  canManage: boolean;
  /** The approval profiles that exist, for the approval fields' choices. */
  approvalProfiles: readonly string[];
  /** The end entity profiles that exist, for the profile field's choices. */
  endEntityProfiles?: readonly string[];
  /** The root CAs that exist, for the preferred root choices. */
  rootCas: readonly AliasRootCaChoice[];
}) {
  const router = useRouter();
  const [values, setValues] = useState<AliasFormValues>(() => settingsToFormValues(settings));
  const [touched, setTouched] = useState<Set<string>>(new Set());
  const [submitted, setSubmitted] = useState(false);
  const [serverErrors, setServerErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  // The values as last stored: the form is "dirty" while it differs from them.
  const [storedValues, setStoredValues] = useState<AliasFormValues>(() => settingsToFormValues(settings));
  const toast = useToast();
  // The warnings of the settings as stored: the server's answer to the last store replaces them.
  const [warnings, setWarnings] = useState<readonly AliasWarning[]>(storedWarnings);
  const mutation = useStoreAliasMutation(name);

  const clientErrors = useMemo(() => {
    const parsed = aliasSettingsInputSchema.safeParse(formValuesToSettingsInput(values));
    const errors: Record<string, string> = {};
    if (!parsed.success)
      for (const issue of parsed.error.issues) errors[String(issue.path[0] ?? "form")] ??= issue.message;
    return errors;
  }, [values]);

  const errorOf = (field: string) =>
    serverErrors[field] ?? (submitted || touched.has(field) ? clientErrors[field] : undefined);
  const update = (field: keyof AliasSettings, value: string | boolean) => {
    setValues((v) => ({ ...v, [field]: value }));
    setTouched((t) => new Set(t).add(field));
    setServerErrors((s) => {
      const { [field]: _, ...rest } = s;
      return rest;
    });
  };
  const dirty = useMemo(
    () =>
      Object.keys(values).some(
        (k) => values[k as keyof AliasFormValues] !== storedValues[k as keyof AliasFormValues],
      ),
    [values, storedValues],
  );
  useUnsavedChangesWarning(canManage && dirty);

  const renderField = (spec: AliasFieldSpec) => {
    const id = `field-${spec.name}`;
    const value = values[spec.name];
    const error = errorOf(spec.name);
    // A field that only matters while another is ticked is disabled, saying so, until it is.
    const controller = ALIAS_FIELD_DEPENDS_ON[spec.name];
    const inactive = controller !== undefined && values[controller] !== true;
    const disabled = !canManage || inactive;
    const reason = notEnforced.find((f) => f.field === spec.name)?.reason;
    const warning = warnings.find((w) => w.field === spec.name)?.message;
    const caveat = reason
      ? { badge: NOT_ENFORCED_BADGE, text: reason }
      : warning
        ? { badge: "Warning", text: warning }
        : inactive
          ? { badge: "Inactive", text: `Applies only while “${aliasFieldLabel(controller)}” is ticked.` }
          : undefined;
    if (spec.kind.type === "checkbox") {
      return (
        <CheckboxField
          key={spec.name}
          id={id}
          label={spec.label}
          help={spec.help}
          defaultHint={defaultHint(spec.name)}
          error={error}
          caveat={caveat}
          checked={value === true}
          disabled={disabled}
          onChange={(checked) => update(spec.name, checked)}
        />
      );
    }
    let control: React.ReactNode;
    const text = typeof value === "string" ? value : "";
    if (spec.kind.type === "approvalProfile" || spec.kind.type === "endEntityProfile") {
      // A stored name no profile has any more (from before profiles were checked) stays visible.
      const existing = spec.kind.type === "approvalProfile" ? approvalProfiles : endEntityProfiles;
      const choices = text && !existing.includes(text) ? [...existing, text] : existing;
      control = (
        <Select
          id={id}
          name={spec.name}
          value={text}
          disabled={disabled}
          invalid={!!error}
          onChange={(e) => update(spec.name, e.target.value)}
        >
          <option value="">None</option>
          {choices.map((p) => (
            <option key={p} value={p}>
              {p}
            </option>
          ))}
        </Select>
      );
    } else if (spec.kind.type === "preferredRoot") {
      const options = rootCas.map((ca) => ({ value: ca.subjectDn, label: ca.subjectDn }));
      const first = { value: "default", label: "default — the CA's own chain, alternates linked" };
      // A stored value no CA has (from before the choice was checked) stays visible.
      const known = text === first.value || text === "" || options.some((o) => o.value === text);
      control = (
        <Select
          id={id}
          name={spec.name}
          value={text === "" ? "default" : text}
          disabled={disabled}
          invalid={!!error}
          onChange={(e) => update(spec.name, e.target.value)}
        >
          {[first, ...options, ...(known ? [] : [{ value: text, label: text }])].map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </Select>
      );
    } else if (spec.kind.type === "readonly") {
      // The stored value (refreshed after the action that changes it), never sent back.
      const stored = settings[spec.name];
      control = (
        <>
          <TextInput
            id={id}
            name={spec.name}
            value={typeof stored === "string" ? stored : ""}
            readOnly
            disabled
            placeholder="none"
          />
          <p className="mt-1 text-xs text-slate-500">{spec.kind.note}</p>
        </>
      );
    } else if (spec.kind.type === "select") {
      control = (
        <Select
          id={id}
          name={spec.name}
          value={text}
          disabled={disabled}
          invalid={!!error}
          onChange={(e) => update(spec.name, e.target.value)}
        >
          {spec.kind.options.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </Select>
      );
    } else if (spec.kind.type === "textarea") {
      control = (
        <TextArea
          id={id}
          name={spec.name}
          rows={3}
          value={text}
          disabled={disabled}
          invalid={!!error}
          onChange={(e) => update(spec.name, e.target.value)}
        />
      );
    } else {
      control = (
        <TextInput
          id={id}
          name={spec.name}
          value={text}
          disabled={disabled}
          invalid={!!error}
          inputMode={spec.kind.type === "number" ? "numeric" : undefined}
          placeholder={"placeholder" in spec.kind ? spec.kind.placeholder : undefined}
          onChange={(e) => update(spec.name, e.target.value)}
        />
      );
    }
    return (
      <Field
        key={spec.name}
        id={id}
        label={spec.label}
        help={spec.help}
        defaultHint={defaultHint(spec.name)}
        error={error}
        caveat={caveat}
      >
        {control}
      </Field>
    );
  };

  const errorCount = Object.keys(clientErrors).length + Object.keys(serverErrors).length;
  return (
    <form
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        setSubmitted(true);
        setFormError(null);
        if (Object.keys(clientErrors).length > 0) {
          setFormError("Some fields need attention; nothing was stored.");
          return;
        }
        mutation.mutate(editableInput(values), {
          onSuccess: (alias) => {
            const stored = settingsToFormValues(alias.settings);
            setValues(stored);
            setStoredValues(stored);
            setWarnings(alias.warnings);
            setTouched(new Set());
            setSubmitted(false);
            toast({ message: `Alias "${name}" stored`, testId: "alias-saved" });
            router.refresh();
          },
          onError: (err) => {
            if (err instanceof ApiError && err.invalidParams.length) {
              setServerErrors(err.fieldErrors("settings."));
              setFormError("The server refused some fields; nothing was stored.");
            } else setFormError(errorMessage(err));
          },
        });
      }}
      className="space-y-6"
    >
      {ALIAS_FIELD_GROUPS.map((group) => (
        <Card key={group.id}>
          <CardHeader title={group.title} description={group.description} />
          <CardBody className="grid gap-x-8 gap-y-5 md:grid-cols-2">{group.fields.map(renderField)}</CardBody>
        </Card>
      ))}
      {canManage && (
        <div className="sticky bottom-0 z-10 -mx-2 flex flex-wrap items-center justify-end gap-3 rounded-lg border border-slate-200 bg-white/95 px-4 py-3 shadow-lg backdrop-blur">
          {!configured && !mutation.isSuccess && (
            <Badge tone="amber">Not stored yet: store once to serve ACME</Badge>
          )}
          {dirty && (
            <span className="text-sm text-slate-600" data-testid="alias-unsaved">
              Unsaved changes
            </span>
          )}
          {warnings.length > 0 && (
            <span className="max-w-xl text-sm text-amber-800" data-testid="alias-warning">
              {warnings.map((w) => w.message).join(" ")}
            </span>
          )}
          {submitted && errorCount > 0 && (
            <span className="text-sm text-red-600">
              {errorCount} field{errorCount === 1 ? "" : "s"} to fix
            </span>
          )}
          <FormError message={formError} />
          <Button type="submit" disabled={mutation.isPending} data-testid="alias-store">
            {mutation.isPending ? "Storing…" : "Store alias"}
          </Button>
        </div>
      )}
    </form>
  );
}
