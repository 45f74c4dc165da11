"use client";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { Button } from "@/components/ui/Button";
import { Card, CardBody, CardHeader } from "@/components/ui/Card";
import { Field, FormError, Select, TextInput } from "@/components/ui/Field";
import { useToast } from "@/components/ui/Toast";
import { ApiError, errorMessage } from "@/lib/console/client/api";
import { useUpdateGlobalSettingsMutation } from "@/lib/console/client/queries";
import {
  globalSettingsBodySchema,
  NONCE_VALIDITY_FORMAT_MESSAGE,
  nonceValidityMsOf,
} from "@/lib/console/schemas/settings";
import { formatDurationSeconds } from "@/lib/ra/durations";

export function GlobalSettingsForm({
  initial,
  aliases,
  canManage,
}: {
  initial: { defaultAlias: string | null; replayNonceValidityMs: number };
  aliases: { name: string; configured: boolean }[];
  canManage: boolean;
}) {
  const router = useRouter();
  const [defaultAlias, setDefaultAlias] = useState(initial.defaultAlias ?? "");
  // Entered as a duration ("1h"), like the order validity; the API keeps milliseconds.
  const [nonceText, setNonceText] = useState(formatDurationSeconds(initial.replayNonceValidityMs / 1000));
  const [serverErrors, setServerErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const toast = useToast();
  const mutation = useUpdateGlobalSettingsMutation();
  const nonceMs = nonceValidityMsOf(nonceText);
  const input = { defaultAlias: defaultAlias || null, replayNonceValidityMs: nonceMs ?? Number.NaN };
  const parsed = globalSettingsBodySchema.safeParse(input);
  const clientErrors: Record<string, string> = {};
  if (nonceMs === null) clientErrors.replayNonceValidityMs = NONCE_VALIDITY_FORMAT_MESSAGE;
  if (!parsed.success) for (const i of parsed.error.issues) clientErrors[String(i.path[0])] ??= i.message;
  const errorOf = (f: string) => serverErrors[f] ?? clientErrors[f];
  return (
    <Card>
      <CardHeader title="Global ACME settings" description="These hold for every alias." />
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (!parsed.success) return;
          setFormError(null);
          mutation.mutate(input, {
            onSuccess: () => {
              toast({ message: "Global settings saved", testId: "settings-saved" });
              router.refresh();
            },
            onError: (err) => {
              if (err instanceof ApiError && err.invalidParams.length) setServerErrors(err.fieldErrors());
              else setFormError(errorMessage(err));
            },
          });
        }}
      >
        <CardBody className="grid gap-5 md:grid-cols-2">
          <Field
            id="defaultAlias"
            label="Default ACME configuration"
            help="The alias used when a URL names none: /acme/directory and the resources under it."
            error={errorOf("defaultAlias")}
          >
            <Select
              id="defaultAlias"
              value={defaultAlias}
              disabled={!canManage}
              invalid={!!errorOf("defaultAlias")}
              onChange={(e) => {
                setDefaultAlias(e.target.value);
                setServerErrors({});
              }}
            >
              <option value="">None (only alias URLs work)</option>
              {aliases.map((a) => (
                <option key={a.name} value={a.name}>
                  {a.name}
                  {a.configured ? "" : " (not stored yet)"}
                </option>
              ))}
            </Select>
          </Field>
          <Field
            id="replayNonceValidityMs"
            label="Replay nonce validity"
            help="How long a replay nonce handed to a client stays usable: a duration in d, h, m, s, from 1s to 24h."
            defaultHint="1h"
            error={errorOf("replayNonceValidityMs")}
          >
            <TextInput
              id="replayNonceValidityMs"
              value={nonceText}
              disabled={!canManage}
              invalid={!!errorOf("replayNonceValidityMs")}
              onChange={(e) => {
                setNonceText(e.target.value);
                setServerErrors({});
              }}
            />
          </Field>
        </CardBody>
        {canManage && (
          <div className="flex items-center justify-end gap-3 border-t border-slate-100 px-5 py-3">
            <FormError message={formError} />
            <Button type="submit" disabled={mutation.isPending || !parsed.success}>
              {mutation.isPending ? "Saving…" : "Save settings"}
            </Button>
          </div>
        )}
      </form>
    </Card>
  );
}
