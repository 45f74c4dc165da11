"use client";
// An alias's access rules (spec "ACME with Client Authentication"): the client certificates
// registered for it — one uploaded certificate, or an issuer and a subject pattern — with the
// access rules each is granted; administrators add and remove them (the server refuses anyone
// else too).
import { useState } from "react";
import { Badge } from "@/components/ui/Badge";
import { Button } from "@/components/ui/Button";
import { Card, CardHeader } from "@/components/ui/Card";
import { ConfirmDialog } from "@/components/ui/ConfirmDialog";
import { Dialog } from "@/components/ui/Dialog";
import { EmptyState } from "@/components/ui/EmptyState";
import { CheckboxField, Field, FormError, Select, TextArea, TextInput } from "@/components/ui/Field";
import { RelativeTime } from "@/components/ui/RelativeTime";
import { Table, Td, Th, Tr } from "@/components/ui/Table";
import { useSchemaForm } from "@/components/ui/useSchemaForm";
import type { AccessRuleChoices, AccessRuleView } from "@/lib/console/access-rules";
import { ApiError, errorMessage } from "@/lib/console/client/api";
import {
  useAccessRulesQuery,
  useAddAccessRuleMutation,
  useRemoveAccessRuleMutation,
} from "@/lib/console/client/queries";
import { accessRuleBodySchema } from "@/lib/console/schemas/access-rules";
import { accessRuleLabel } from "@/lib/ra/access-rights";

export function AliasAccessRules({
  alias,
  initial,
  choices,
  requiresClientCertificate,
  endEntityProfile,
  canManage,
}: {
  alias: string;
  initial: AccessRuleView[];
  choices: AccessRuleChoices;
  requiresClientCertificate: boolean;
  /** The alias's end entity profile: its rules are needed too, and granted by default. */
  endEntityProfile: string | null;
  canManage: boolean;
}) {
  const { data: rules } = useAccessRulesQuery(alias, initial);
  return (
    <Card className="mb-6">
      <CardHeader
        title="Client certificates"
        description={
          requiresClientCertificate
            ? "Only these certificates may use this alias, each for what its access rules allow; clients connect to the URLs with client authentication."
            : "“Require client certificate” is not ticked: these rules apply once it is."
        }
        actions={
          canManage && (
            <AccessRuleAddButton alias={alias} choices={choices} endEntityProfile={endEntityProfile} />
          )
        }
      />
      {rules.length === 0 ? (
        <EmptyState title="No client certificates registered">
          {canManage
            ? "Add one by uploading a certificate, or by naming its issuer and a subject pattern."
            : "An administrator can add one."}
        </EmptyState>
      ) : (
        <Table label="Access rules">
          <thead>
            <tr>
              <Th>Certificate</Th>
              <Th>Access rules</Th>
              <Th>Added</Th>
              {canManage && (
                <Th>
                  <span className="sr-only">Actions</span>
                </Th>
              )}
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {rules.map((rule) => (
              <Tr key={rule.id}>
                <Td className="max-w-md">
                  <div className="flex items-center gap-2">
                    <Badge tone={rule.match === "certificate" ? "indigo" : "blue"}>
                      {rule.match === "certificate" ? "certificate" : "subject pattern"}
                    </Badge>
                    <span className="break-all font-mono text-xs text-slate-800">{rule.subjectPattern}</span>
                  </div>
                  <p className="mt-1 break-all text-xs text-slate-500">issued by {rule.issuerDn}</p>
                  {rule.certificateSha256 && (
                    <p className="mt-0.5 break-all font-mono text-[11px] text-slate-500" title="SHA-256">
                      SHA-256 {rule.certificateSha256}
                    </p>
                  )}
                  {rule.description && <p className="mt-0.5 text-xs text-slate-600">{rule.description}</p>}
                </Td>
                <Td>
                  <div className="flex flex-wrap gap-1">
                    {rule.rights.map((right) => (
                      <Badge key={right} tone="slate">
                        <span title={right}>{accessRuleLabel(right)}</span>
                      </Badge>
                    ))}
                    {rule.rights.length === 0 && (
                      <span className="text-xs text-slate-500">none (account operations only)</span>
                    )}
                  </div>
                </Td>
                <Td>
                  <RelativeTime iso={rule.createdAt} />
                </Td>
                {canManage && (
                  <Td className="text-right">
                    <AccessRuleRemoveButton alias={alias} rule={rule} />
                  </Td>
                )}
              </Tr>
            ))}
          </tbody>
        </Table>
      )}
    </Card>
  );
}

/** PEM text from a .pem/.crt file, or a DER (.cer/.der) file wrapped as PEM. */
async function readCertificateFile(file: File): Promise<string> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  const text = new TextDecoder().decode(bytes);
  if (text.includes("-----BEGIN")) return text;
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  const lines = btoa(binary).match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join("\n")}\n-----END CERTIFICATE-----\n`;
}

function AccessRuleAddButton({
  alias,
  choices,
  endEntityProfile,
}: {
  alias: string;
  choices: AccessRuleChoices;
  endEntityProfile: string | null;
}) {
  // The spec's set: every function rule, access to the CA that issues on this alias, and the
  // rules of the alias's end entity profile.
  const defaultRights = [
    ...choices.functionRules.map((r) => r.rule),
    ...choices.cas.filter((ca) => ca.role === "issuing").map((ca) => ca.rule),
    ...(choices.endEntityProfiles.find((p) => p.name === endEntityProfile)?.rules ?? []).map((r) => r.rule),
  ];
  const [open, setOpen] = useState(false);
  const [rights, setRights] = useState<string[]>(defaultRights);
  const [formError, setFormError] = useState<string | null>(null);
  const mutation = useAddAccessRuleMutation(alias);
  const form = useSchemaForm({
    initial: { match: "certificate", certificatePem: "", issuerDn: "", subjectPattern: "", description: "" },
    schema: accessRuleBodySchema,
    toInput: (v) =>
      v.match === "certificate"
        ? {
            match: "certificate" as const,
            certificatePem: v.certificatePem,
            rights,
            description: v.description,
          }
        : {
            match: "subject" as const,
            issuerDn: v.issuerDn,
            subjectPattern: v.subjectPattern,
            rights,
            description: v.description,
          },
  });
  const { values, errorOf, set } = form;
  const close = () => {
    setOpen(false);
    form.reset();
    setRights(defaultRights);
    setFormError(null);
  };
  const toggle = (rule: string) => (checked: boolean) =>
    setRights((current) => (checked ? [...current, rule] : current.filter((r) => r !== rule)));
  return (
    <>
      <Button onClick={() => setOpen(true)} data-testid="access-rule-add">
        Add client certificate
      </Button>
      <Dialog
        open={open}
        onClose={close}
        title="Register a client certificate"
        description={`Who may use alias "${alias}", and for what.`}
        footer={
          <>
            <Button variant="secondary" onClick={close}>
              Cancel
            </Button>
            <Button type="submit" form="access-rule-form" disabled={mutation.isPending}>
              {mutation.isPending ? "Adding…" : "Add"}
            </Button>
          </>
        }
      >
        <form
          id="access-rule-form"
          noValidate
          className="space-y-4"
          onSubmit={(e) => {
            e.preventDefault();
            form.touchAll();
            if (!form.parsed.success) return;
            setFormError(null);
            mutation.mutate(form.parsed.data, {
              onSuccess: close,
              onError: (err) => {
                const fields = err instanceof ApiError ? err.fieldErrors() : {};
                const known = ["certificatePem", "issuerDn", "subjectPattern", "description"];
                const onFields = Object.fromEntries(
                  Object.entries(fields).filter(([f]) => known.includes(f)),
                );
                if (Object.keys(onFields).length > 0) form.setServerErrors(onFields);
                else setFormError(errorMessage(err));
              },
            });
          }}
        >
          <Field id="access-rule-match" label="Match">
            <Select id="access-rule-match" value={values.match} onChange={set("match")}>
              <option value="certificate">This certificate (upload it)</option>
              <option value="subject">Any certificate of an issuer whose subject matches a pattern</option>
            </Select>
          </Field>
          {values.match === "certificate" ? (
            <Field
              id="access-rule-pem"
              label="Client certificate (PEM)"
              help="Paste it, or choose a .pem, .crt or .cer file. Only this exact certificate matches."
              error={errorOf("certificatePem")}
            >
              <TextArea
                id="access-rule-pem"
                rows={6}
                placeholder="-----BEGIN CERTIFICATE-----"
                value={values.certificatePem}
                invalid={!!errorOf("certificatePem")}
                onChange={set("certificatePem")}
              />
              <input
                type="file"
                accept=".pem,.crt,.cer,.der"
                aria-label="Certificate file"
                className="mt-2 block text-xs text-slate-600"
                onChange={async (e) => {
                  const file = e.target.files?.[0];
                  if (file) form.setValue("certificatePem", await readCertificateFile(file));
                }}
              />
            </Field>
          ) : (
            <>
              <Field
                id="access-rule-issuer"
                label="Issuer DN"
                help="The distinguished name of the CA that issues the client certificates, e.g. CN=Ops Client CA, O=Example. It must chain to a trust anchor."
                error={errorOf("issuerDn")}
              >
                <TextInput
                  id="access-rule-issuer"
                  value={values.issuerDn}
                  invalid={!!errorOf("issuerDn")}
                  onChange={set("issuerDn")}
                />
              </Field>
              <Field
                id="access-rule-subject"
                label="Subject pattern"
                help="The same attributes in the same order as the certificates' subjects; * stands for any characters in a value (CN=*.ops.example, O=Example), * alone for any subject."
                error={errorOf("subjectPattern")}
              >
                <TextInput
                  id="access-rule-subject"
                  value={values.subjectPattern}
                  invalid={!!errorOf("subjectPattern")}
                  onChange={set("subjectPattern")}
                />
              </Field>
            </>
          )}
          <fieldset>
            <legend className="text-sm font-medium text-slate-800">Access rules granted</legend>
            <p className="mb-2 text-xs text-slate-500">
              Enrolling needs create certificate, create, edit and view end entity, and the CA; revoking needs
              revoke end entity and the CA. On an alias with an end entity profile, the same end entity rules
              are needed on that profile
              {endEntityProfile ? ` (this alias: ${endEntityProfile})` : ""}, and the CA is the one it issues
              from.
            </p>
            <div className="space-y-2">
              {choices.functionRules.map((r) => (
                <CheckboxField
                  key={r.rule}
                  id={`right-${r.rule}`}
                  label={r.label}
                  help={r.rule}
                  checked={rights.includes(r.rule)}
                  onChange={toggle(r.rule)}
                />
              ))}
              {choices.cas.map((ca) => (
                <CheckboxField
                  key={ca.rule}
                  id={`right-${ca.rule}`}
                  label={`CA ${ca.name}`}
                  help={`${ca.rule} (${ca.role === "issuing" ? "issues this alias's certificates" : "root"})`}
                  checked={rights.includes(ca.rule)}
                  onChange={toggle(ca.rule)}
                />
              ))}
              {choices.endEntityProfiles.flatMap((profile) =>
                profile.rules.map((r) => (
                  <CheckboxField
                    key={r.rule}
                    id={`right-${r.rule}`}
                    label={`${r.label} · end entity profile ${profile.name}`}
                    help={r.rule}
                    checked={rights.includes(r.rule)}
                    onChange={toggle(r.rule)}
                  />
                )),
              )}
            </div>
          </fieldset>
          <Field id="access-rule-description" label="Description" help="Optional: whose certificate this is.">
            <TextInput
              id="access-rule-description"
              value={values.description}
              invalid={!!errorOf("description")}
              onChange={set("description")}
            />
          </Field>
          <FormError message={formError} />
        </form>
      </Dialog>
    </>
  );
}

function AccessRuleRemoveButton({ alias, rule }: { alias: string; rule: AccessRuleView }) {
  const [open, setOpen] = useState(false);
  const mutation = useRemoveAccessRuleMutation(alias);
  return (
    <>
      <Button
        size="sm"
        variant="ghost"
        className="text-red-700 hover:bg-red-50"
        onClick={() => setOpen(true)}
        aria-label={`Remove ${rule.subjectPattern}`}
      >
        Remove
      </Button>
      <ConfirmDialog
        open={open}
        onClose={() => setOpen(false)}
        title={`Remove "${rule.subjectPattern}"?`}
        confirmLabel="Remove"
        pending={mutation.isPending}
        error={mutation.error ? errorMessage(mutation.error) : null}
        onConfirm={() => mutation.mutate(rule.id, { onSuccess: () => setOpen(false) })}
      >
        <p>
          Clients with this certificate are refused on alias &ldquo;{alias}&rdquo; from their next request on.
        </p>
      </ConfirmDialog>
    </>
  );
}
