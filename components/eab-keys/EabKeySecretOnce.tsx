"use client";
import { CopyButton, CopyField } from "@/components/ui/CopyButton";
import type { MacAlgorithm } from "@/lib/ra/eab-algorithms";
import { eabClientCommands } from "./eab-commands";

/**
 * A new MAC key, shown this once (spec: "Key Identifier, MAC Algorithm and Insert base64Url Key
 * must be shared with the ACME account holders"), with the commands that register with it.
 */
export function EabKeySecretOnce({
  directoryUrl,
  keyIdentifier,
  hmacKey,
  macAlgorithm,
}: {
  directoryUrl: string;
  keyIdentifier: string;
  hmacKey: string;
  macAlgorithm: MacAlgorithm;
}) {
  const commands = eabClientCommands({ directoryUrl, keyIdentifier, hmacKey });
  return (
    <div className="space-y-4" data-testid="eab-secret">
      <div className="space-y-3 rounded-md border border-amber-200 bg-amber-50 p-3">
        <p className="text-sm font-medium text-amber-900">
          The HMAC key is shown only now: copy it before closing. Keyward keeps it sealed and cannot show it
          again.
        </p>
        <div>
          <p className="mb-1 text-xs font-medium uppercase tracking-wide text-amber-900">
            Key identifier (kid)
          </p>
          <CopyField value={keyIdentifier} testId="eab-secret-kid" />
        </div>
        <div>
          <p className="mb-1 text-xs font-medium uppercase tracking-wide text-amber-900">
            HMAC key (base64url, {macAlgorithm})
          </p>
          <CopyField value={hmacKey} testId="eab-secret-hmac" />
        </div>
        <div>
          <p className="mb-1 text-xs font-medium uppercase tracking-wide text-amber-900">Directory URL</p>
          <CopyField value={directoryUrl} testId="eab-secret-directory" />
        </div>
      </div>
      <div className="space-y-2">
        <p className="text-sm font-medium text-slate-800">Register with it</p>
        {commands.map(({ client, command }) => (
          <div key={client}>
            <div className="mb-1 flex items-center justify-between">
              <span className="text-xs font-medium uppercase tracking-wide text-slate-500">{client}</span>
              <CopyButton value={command} label={`Copy ${client} command`} />
            </div>
            <pre
              className="overflow-x-auto whitespace-pre-wrap break-all rounded bg-slate-900 px-3 py-2 font-mono text-xs text-slate-100"
              data-testid={`eab-command-${client}`}
            >
              {command}
            </pre>
          </div>
        ))}
      </div>
    </div>
  );
}
