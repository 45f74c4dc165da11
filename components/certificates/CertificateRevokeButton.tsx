"use client";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { Button } from "@/components/ui/Button";
import { ConfirmDialog } from "@/components/ui/ConfirmDialog";
import { Select } from "@/components/ui/Field";
import { errorMessage } from "@/lib/console/client/api";
import { useRevokeCertificateMutation } from "@/lib/console/client/queries";
import { OPERATOR_REVOCATION_REASONS } from "@/lib/ra/revocation-reasons";

/** Revokes a certificate with a reason, after a confirmation naming it (irreversible). */
export function CertificateRevokeButton({
  id,
  serialHex,
  names,
}: {
  id: string;
  serialHex: string;
  names: string[];
}) {
  const router = useRouter();
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState<number>(0);
  const mutation = useRevokeCertificateMutation(id);
  const label = names[0] ?? serialHex;
  return (
    <>
      <Button variant="danger" onClick={() => setOpen(true)} data-testid="certificate-revoke">
        Revoke certificate
      </Button>
      <ConfirmDialog
        open={open}
        onClose={() => {
          mutation.reset();
          setOpen(false);
        }}
        title={`Revoke the certificate for ${label}?`}
        confirmLabel={`Revoke ${label}`}
        pending={mutation.isPending}
        error={mutation.error ? errorMessage(mutation.error) : null}
        onConfirm={() =>
          mutation.mutate(
            { reason },
            {
              onSuccess: () => {
                setOpen(false);
                router.refresh();
              },
            },
          )
        }
      >
        <p>
          Serial <span className="break-all font-mono text-xs">{serialHex}</span>
          {names.length > 0 && <> for {names.join(", ")}</>}. The issuing CA's CRL lists it at once. This
          cannot be undone.
        </p>
        <div>
          <label htmlFor="revocation-reason" className="mb-1 block text-xs font-medium text-slate-600">
            Reason (RFC 5280 §5.3.1)
          </label>
          <Select id="revocation-reason" value={reason} onChange={(e) => setReason(Number(e.target.value))}>
            {OPERATOR_REVOCATION_REASONS.map((r) => (
              <option key={r.code} value={r.code}>
                {r.label}
              </option>
            ))}
          </Select>
        </div>
      </ConfirmDialog>
    </>
  );
}
