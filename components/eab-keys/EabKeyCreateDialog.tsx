"use client";
import { useRouter } from "next/navigation";
import { type ChangeEvent, useState } from "react";
import { Button } from "@/components/ui/Button";
import { CopyField } from "@/components/ui/CopyButton";
import { Dialog } from "@/components/ui/Dialog";
import { Field, FormError, Select, TextArea, TextInput } from "@/components/ui/Field";
import { ApiError, errorMessage } from "@/lib/console/client/api";
import { useCreateEabKeyMutation, useInspectEabPublicKeyMutation } from "@/lib/console/client/queries";
import type { EabKeyCreated, InspectedEabPublicKey } from "@/lib/console/eab-keys";
import { createEabKeyBodySchema } from "@/lib/console/schemas/eab-keys";
import {
  EAB_SIGNATURE_ALGORITHMS,
  MAC_ALGORITHMS,
  MAC_KEY_MIN_BYTES,
  type MacAlgorithm,
} from "@/lib/ra/eab-algorithms";
import { EabKeySecretOnce } from "./EabKeySecretOnce";

type Values = {
  type: "mac" | "signature";
  macSource: "generate" | "enter" | "upload";
  macAlgorithm: MacAlgorithm;
  keyIdentifier: string;
  key: string;
  keyFile: string;
  signatureSource: "paste" | "upload";
  publicKey: string;
  publicKeyFile: string;
  fingerprint: string;
  signatureAlgorithm: string;
  binds: "one" | "many";
  expiresInDays: string;
  namespace: string;
};

const INITIAL: Values = {
  type: "mac",
  macSource: "generate",
  macAlgorithm: "HS256",
  keyIdentifier: "",
  key: "",
  keyFile: "",
  signatureSource: "upload",
  publicKey: "",
  publicKeyFile: "",
  fingerprint: "",
  signatureAlgorithm: "",
  binds: "one",
  expiresInDays: "",
  namespace: "",
};

/** The request body the form stands for; empty optional fields are left out. */
function toInput(v: Values): Record<string, unknown> {
  const days = v.expiresInDays.trim();
  const common = {
    binds: v.binds,
    // A non-numeric entry is passed on as it is, so that the schema names the field.
    ...(days === "" ? {} : { expiresInDays: /^\d+$/.test(days) ? Number(days) : days }),
    ...(v.namespace.trim() === "" ? {} : { namespace: v.namespace.trim() }),
  };
  const optional = (name: string, value: string) => (value.trim() === "" ? {} : { [name]: value.trim() });
  if (v.type === "mac") {
    return {
      type: "mac",
      macAlgorithm: v.macAlgorithm,
      ...optional("keyIdentifier", v.keyIdentifier),
      ...(v.macSource === "enter" ? { key: v.key.trim() } : {}),
      ...(v.macSource === "upload" ? { keyFile: v.keyFile } : {}),
      ...common,
    };
  }
  return {
    type: "signature",
    ...(v.signatureSource === "paste" ? { publicKey: v.publicKey } : { publicKeyFile: v.publicKeyFile }),
    ...optional("fingerprint", v.fingerprint),
    ...optional("signatureAlgorithm", v.signatureAlgorithm),
    ...common,
  };
}

async function fileToBase64(file: File): Promise<string> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

function Choice<T extends string>({
  name,
  value,
  options,
  onChange,
}: {
  name: string;
  value: T;
  options: { value: T; label: string }[];
  onChange: (value: T) => void;
}) {
  return (
    <div className="flex flex-wrap gap-4 text-sm" role="radiogroup">
      {options.map((o) => (
        <label key={o.value} className="flex items-center gap-1.5">
          <input
            type="radio"
            name={name}
            value={o.value}
            checked={value === o.value}
            onChange={() => onChange(o.value)}
            className="accent-indigo-600"
          />
          {o.label}
        </label>
      ))}
    </div>
  );
}

/**
 * Creates an EAB key of `alias`: a MAC key generated, entered or uploaded, or a certificate or
 * public key uploaded. A MAC key is shown once, with the commands that register with it.
 */
export function EabKeyCreateDialog({ alias, directoryUrl }: { alias: string; directoryUrl: string }) {
  const router = useRouter();
  const [open, setOpen] = useState(false);
  const [values, setValues] = useState<Values>(INITIAL);
  const [touched, setTouched] = useState<Set<string>>(new Set());
  const [submitted, setSubmitted] = useState(false);
  const [serverErrors, setServerErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [created, setCreated] = useState<EabKeyCreated | null>(null);
  const [inspected, setInspected] = useState<InspectedEabPublicKey | null>(null);
  const mutation = useCreateEabKeyMutation(alias);
  const inspect = useInspectEabPublicKeyMutation();

  const input = toInput(values);
  const parsed = createEabKeyBodySchema.safeParse(input);
  const clientErrors: Record<string, string> = {};
  if (!parsed.success)
    for (const i of parsed.error.issues) clientErrors[String(i.path[0] ?? "form")] ??= i.message;
  const errorOf = (field: string) =>
    serverErrors[field] ?? (submitted || touched.has(field) ? clientErrors[field] : undefined);

  const update = (changes: Partial<Values>) => {
    setValues((v) => ({ ...v, ...changes }));
    setTouched((t) => new Set([...t, ...Object.keys(changes)]));
    setServerErrors((s) => Object.fromEntries(Object.entries(s).filter(([k]) => !(k in changes))));
  };
  const text =
    (field: keyof Values) => (e: ChangeEvent<HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement>) =>
      update({ [field]: e.target.value } as Partial<Values>);

  /** What the server reads in an upload: fingerprint and algorithm, prefilled and editable. */
  const inspectUpload = (body: { publicKey?: string; publicKeyFile?: string }, field: string) => {
    setInspected(null);
    inspect.mutate(body, {
      onSuccess: (result) => {
        setInspected(result);
        setValues((v) => ({
          ...v,
          fingerprint: result.fingerprint,
          signatureAlgorithm: result.signatureAlgorithm ?? v.signatureAlgorithm,
        }));
      },
      onError: (err) =>
        setServerErrors((s) => ({
          ...s,
          [field]: err instanceof ApiError ? (err.fieldErrors()[field] ?? err.detail) : errorMessage(err),
        })),
    });
  };

  const onFile = (kind: "keyFile" | "publicKeyFile") => async (e: ChangeEvent<HTMLInputElement>) => {
    const file = e.target.files?.[0];
    if (!file) return;
    const base64 = await fileToBase64(file);
    if (kind === "keyFile") update({ keyFile: base64 });
    else {
      update({ publicKeyFile: base64 });
      inspectUpload({ publicKeyFile: base64 }, "publicKeyFile");
    }
  };

  const close = () => {
    setOpen(false);
    setValues(INITIAL);
    setTouched(new Set());
    setSubmitted(false);
    setServerErrors({});
    setFormError(null);
    setCreated(null);
    setInspected(null);
  };

  const submit = () => {
    setSubmitted(true);
    setFormError(null);
    if (Object.keys(clientErrors).length > 0) return;
    mutation.mutate(input, {
      onSuccess: (result) => {
        setCreated(result);
        router.refresh();
      },
      onError: (err) => {
        if (err instanceof ApiError && err.invalidParams.length) setServerErrors(err.fieldErrors());
        else setFormError(errorMessage(err));
      },
    });
  };

  const minBits = MAC_KEY_MIN_BYTES[values.macAlgorithm] * 8;
  return (
    <>
      <Button onClick={() => setOpen(true)} data-testid="eab-create">
        Create EAB key
      </Button>
      <Dialog
        open={open}
        onClose={close}
        title={created ? "EAB key created" : `New EAB key for "${alias}"`}
        description={
          created
            ? undefined
            : "A key lets an ACME client register an account on this alias (RFC 8555 §7.3.4)."
        }
        footer={
          created ? (
            <Button onClick={close}>Done</Button>
          ) : (
            <>
              <Button variant="secondary" onClick={close}>
                Cancel
              </Button>
              <Button type="submit" form="eab-create-form" disabled={mutation.isPending}>
                {mutation.isPending ? "Creating…" : "Create"}
              </Button>
            </>
          )
        }
      >
        {created?.secret ? (
          <EabKeySecretOnce
            directoryUrl={directoryUrl}
            keyIdentifier={created.secret.keyIdentifier}
            hmacKey={created.secret.hmacKey}
            macAlgorithm={created.secret.macAlgorithm}
          />
        ) : created ? (
          <div className="space-y-3 text-sm text-slate-700" data-testid="eab-created-signature">
            <p>
              Give the key&rsquo;s holder this fingerprint and algorithm. Their client signs the binding with
              the account key and sends <code>{"{ key, cf, aks }"}</code> (see the README).
            </p>
            <div>
              <p className="mb-1 text-xs font-medium uppercase tracking-wide text-slate-500">
                Fingerprint (cf)
              </p>
              <CopyField value={created.key.keyIdentifier} testId="eab-created-fingerprint" />
            </div>
            <p>
              Signature algorithm: <strong>{created.key.signatureAlgorithm}</strong>
            </p>
          </div>
        ) : (
          <form
            id="eab-create-form"
            noValidate
            className="space-y-4"
            onSubmit={(e) => {
              e.preventDefault();
              submit();
            }}
          >
            <fieldset>
              <legend className="mb-1.5 text-sm font-medium text-slate-800">Type</legend>
              <Choice
                name="eab-type"
                value={values.type}
                onChange={(type) => update({ type })}
                options={[
                  { value: "mac", label: "MAC key (RFC 8555, certbot, lego, acme.sh…)" },
                  { value: "signature", label: "Certificate or public key" },
                ]}
              />
            </fieldset>
            {values.type === "mac" ? (
              <>
                <Field
                  id="eab-mac-algorithm"
                  label="MAC algorithm"
                  help="certbot, lego and acme.sh sign with HS256."
                  error={errorOf("macAlgorithm")}
                >
                  <Select id="eab-mac-algorithm" value={values.macAlgorithm} onChange={text("macAlgorithm")}>
                    {MAC_ALGORITHMS.map((alg) => (
                      <option key={alg} value={alg}>
                        {alg}
                      </option>
                    ))}
                  </Select>
                </Field>
                <fieldset>
                  <legend className="mb-1.5 text-sm font-medium text-slate-800">Key</legend>
                  <Choice
                    name="eab-mac-source"
                    value={values.macSource}
                    onChange={(macSource) => update({ macSource })}
                    options={[
                      { value: "generate", label: `Generate (${minBits} random bits)` },
                      { value: "enter", label: "Enter" },
                      { value: "upload", label: "Upload" },
                    ]}
                  />
                </fieldset>
                {values.macSource === "enter" && (
                  <Field
                    id="eab-key"
                    label="Key (base64url)"
                    help={`At least ${minBits} bits for ${values.macAlgorithm}; at most 512 characters.`}
                    error={errorOf("key")}
                  >
                    <TextInput
                      id="eab-key"
                      autoComplete="off"
                      value={values.key}
                      invalid={!!errorOf("key")}
                      onChange={text("key")}
                    />
                  </Field>
                )}
                {values.macSource === "upload" && (
                  <Field
                    id="eab-key-file"
                    label="Key file"
                    help={`PEM, DER or the raw bytes (e.g. openssl rand ${minBits / 8} > eab.key).`}
                    error={errorOf("keyFile")}
                  >
                    <input id="eab-key-file" type="file" className="text-sm" onChange={onFile("keyFile")} />
                  </Field>
                )}
                <Field
                  id="eab-kid"
                  label="Key identifier (kid)"
                  help="Leave empty for base64url(SHA-1(key)), as the spec generates it."
                  error={errorOf("keyIdentifier")}
                >
                  <TextInput
                    id="eab-kid"
                    autoComplete="off"
                    value={values.keyIdentifier}
                    invalid={!!errorOf("keyIdentifier")}
                    onChange={text("keyIdentifier")}
                  />
                </Field>
              </>
            ) : (
              <>
                <fieldset>
                  <legend className="mb-1.5 text-sm font-medium text-slate-800">
                    X.509 certificate or public key (RSA, ECDSA, Ed25519)
                  </legend>
                  <Choice
                    name="eab-signature-source"
                    value={values.signatureSource}
                    onChange={(signatureSource) => update({ signatureSource })}
                    options={[
                      { value: "upload", label: "Upload (PEM or DER)" },
                      { value: "paste", label: "Paste PEM" },
                    ]}
                  />
                </fieldset>
                {values.signatureSource === "upload" ? (
                  <Field
                    id="eab-public-key-file"
                    label="Certificate or public key file"
                    error={errorOf("publicKeyFile")}
                  >
                    <input
                      id="eab-public-key-file"
                      type="file"
                      className="text-sm"
                      onChange={onFile("publicKeyFile")}
                    />
                  </Field>
                ) : (
                  <Field
                    id="eab-public-key"
                    label="PEM certificate or public key"
                    help="At most 4096 characters, including the BEGIN and END lines."
                    error={errorOf("publicKey")}
                  >
                    <TextArea
                      id="eab-public-key"
                      rows={5}
                      value={values.publicKey}
                      invalid={!!errorOf("publicKey")}
                      onChange={text("publicKey")}
                      onBlur={() =>
                        values.publicKey.trim() && inspectUpload({ publicKey: values.publicKey }, "publicKey")
                      }
                    />
                  </Field>
                )}
                {inspected && (
                  <p className="text-xs text-slate-600" data-testid="eab-inspected">
                    {inspected.kind === "certificate" ? "Certificate" : "Public key"}:{" "}
                    {inspected.keyDescription}
                    {inspected.signatureAlgorithm ? `, signed with ${inspected.signatureAlgorithm}` : ""}.
                  </p>
                )}
                <Field
                  id="eab-fingerprint"
                  label="Fingerprint (cf)"
                  help="Computed from the upload (SHA-256 of the DER, base64url); you may replace it with your own string."
                  error={errorOf("fingerprint")}
                >
                  <TextInput
                    id="eab-fingerprint"
                    autoComplete="off"
                    value={values.fingerprint}
                    invalid={!!errorOf("fingerprint")}
                    onChange={text("fingerprint")}
                  />
                </Field>
                <Field
                  id="eab-signature-algorithm"
                  label="Signature algorithm"
                  help="Taken from a certificate; choose it for a bare public key."
                  error={errorOf("signatureAlgorithm")}
                >
                  <Select
                    id="eab-signature-algorithm"
                    value={values.signatureAlgorithm}
                    onChange={text("signatureAlgorithm")}
                  >
                    <option value="">
                      {inspected?.kind === "certificate" ? "From the certificate" : "Choose…"}
                    </option>
                    {EAB_SIGNATURE_ALGORITHMS.map((alg) => (
                      <option key={alg} value={alg}>
                        {alg}
                      </option>
                    ))}
                  </Select>
                </Field>
              </>
            )}
            <div className="grid gap-4 sm:grid-cols-2">
              <Field id="eab-binds" label="Binds" error={errorOf("binds")}>
                <Select id="eab-binds" value={values.binds} onChange={text("binds")}>
                  <option value="one">One account</option>
                  <option value="many">Any number of accounts</option>
                </Select>
              </Field>
              <Field
                id="eab-expires"
                label="Expires after (days)"
                help="Empty: never."
                error={errorOf("expiresInDays")}
              >
                <TextInput
                  id="eab-expires"
                  inputMode="numeric"
                  value={values.expiresInDays}
                  invalid={!!errorOf("expiresInDays")}
                  onChange={text("expiresInDays")}
                />
              </Field>
            </div>
            <Field
              id="eab-namespace"
              label="EAB namespace"
              help="General account binding: a certificate profile with an EAB namespace accepts only accounts bound by a key of that namespace. Empty: none."
              error={errorOf("namespace")}
            >
              <TextInput
                id="eab-namespace"
                value={values.namespace}
                invalid={!!errorOf("namespace")}
                onChange={text("namespace")}
              />
            </Field>
            <FormError message={formError} />
          </form>
        )}
      </Dialog>
    </>
  );
}
