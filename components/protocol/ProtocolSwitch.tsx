"use client";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { Badge } from "@/components/ui/Badge";
import { Button } from "@/components/ui/Button";
import { Card, CardBody, CardHeader } from "@/components/ui/Card";
import { ConfirmDialog } from "@/components/ui/ConfirmDialog";
import { useToast } from "@/components/ui/Toast";
import { errorMessage } from "@/lib/console/client/api";
import { useSetProtocolMutation } from "@/lib/console/client/queries";

export function ProtocolSwitch({ enabled, canManage }: { enabled: boolean; canManage: boolean }) {
  const router = useRouter();
  const [confirming, setConfirming] = useState(false);
  const mutation = useSetProtocolMutation();
  const toast = useToast();
  const target = !enabled;
  return (
    <Card>
      <CardHeader
        title={
          <span className="flex items-center gap-2">
            ACME protocol <Badge tone={enabled ? "green" : "amber"}>{enabled ? "enabled" : "disabled"}</Badge>
          </span>
        }
        description={
          enabled
            ? "ACME is on: every stored alias answers ACME clients. Turning it off answers every request under /acme with a problem document saying so; accounts, orders and certificates are kept."
            : "ACME is off (a new installation starts this way): every request under /acme is answered with a problem document saying so; accounts, orders and certificates are kept."
        }
        actions={
          canManage && (
            <Button
              variant={enabled ? "danger" : "primary"}
              onClick={() => setConfirming(true)}
              data-testid="protocol-toggle"
            >
              {enabled ? "Disable ACME" : "Enable ACME"}
            </Button>
          )
        }
      />
      <CardBody className="text-sm text-slate-600">
        {enabled
          ? "ACME clients can fetch directories, register accounts and order certificates on every stored alias."
          : "ACME clients cannot do anything until an administrator enables the protocol."}
        {!canManage && (
          <p className="mt-2 text-xs text-slate-500">Your role can view this setting but not change it.</p>
        )}
      </CardBody>
      <ConfirmDialog
        open={confirming}
        onClose={() => setConfirming(false)}
        title={target ? "Enable ACME?" : "Disable ACME?"}
        confirmLabel={target ? "Enable ACME" : "Disable ACME"}
        danger={!target}
        pending={mutation.isPending}
        error={mutation.error ? errorMessage(mutation.error) : null}
        onConfirm={() =>
          mutation.mutate(target, {
            onSuccess: () => {
              setConfirming(false);
              toast({ message: target ? "ACME enabled" : "ACME disabled", testId: "protocol-saved" });
              router.refresh();
            },
          })
        }
      >
        <p>
          {target
            ? "ACME clients will be able to register accounts and order certificates on every stored alias."
            : "Every ACME client will get an error until ACME is enabled again. Nothing is deleted."}
        </p>
      </ConfirmDialog>
    </Card>
  );
}
