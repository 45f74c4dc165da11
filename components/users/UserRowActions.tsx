"use client";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { Button } from "@/components/ui/Button";
import { ConfirmDialog } from "@/components/ui/ConfirmDialog";
import { Dialog } from "@/components/ui/Dialog";
import { ROLE_LABELS, ROLES, type Role } from "@/lib/auth/permissions";
import { errorMessage } from "@/lib/console/client/api";
import { useUpdateUserMutation } from "@/lib/console/client/queries";
import type { UserView } from "@/lib/console/users";
import { SecretOnce } from "./SecretOnce";

export function UserRowActions({ user, isSelf }: { user: UserView; isSelf: boolean }) {
  const router = useRouter();
  const mutation = useUpdateUserMutation(user.username);
  const [confirm, setConfirm] = useState<"disable" | "enable" | "reset" | null>(null);
  const [roleError, setRoleError] = useState<string | null>(null);
  const [password, setPassword] = useState<string | null>(null);
  return (
    <div className="flex items-center justify-end gap-1.5">
      <label className="sr-only" htmlFor={`role-${user.id}`}>
        Role of {user.username}
      </label>
      <select
        id={`role-${user.id}`}
        className="rounded-md border-0 py-1 pl-2 pr-7 text-xs ring-1 ring-inset ring-slate-300"
        value={user.role}
        disabled={mutation.isPending}
        onChange={(e) => {
          setRoleError(null);
          mutation.mutate(
            { role: e.target.value as Role },
            { onSuccess: () => router.refresh(), onError: (err) => setRoleError(errorMessage(err)) },
          );
        }}
      >
        {ROLES.map((r) => (
          <option key={r} value={r}>
            {ROLE_LABELS[r]}
          </option>
        ))}
      </select>
      <Button size="sm" variant="secondary" onClick={() => setConfirm("reset")}>
        Reset password
      </Button>
      {!isSelf &&
        (user.disabled ? (
          <Button size="sm" variant="secondary" onClick={() => setConfirm("enable")}>
            Enable
          </Button>
        ) : (
          <Button
            size="sm"
            variant="ghost"
            className="text-red-700 hover:bg-red-50"
            onClick={() => setConfirm("disable")}
          >
            Disable
          </Button>
        ))}
      {roleError && <span className="max-w-48 text-left text-xs text-red-600">{roleError}</span>}
      <ConfirmDialog
        open={confirm !== null}
        onClose={() => {
          mutation.reset();
          setConfirm(null);
        }}
        title={
          confirm === "disable"
            ? `Disable user "${user.username}"?`
            : confirm === "enable"
              ? `Enable user "${user.username}"?`
              : `Reset the password of "${user.username}"?`
        }
        confirmLabel={confirm === "disable" ? "Disable" : confirm === "enable" ? "Enable" : "Reset password"}
        danger={confirm !== "enable"}
        pending={mutation.isPending}
        error={mutation.error ? errorMessage(mutation.error) : null}
        onConfirm={() =>
          mutation.mutate(
            confirm === "reset" ? { resetPassword: true } : { disabled: confirm === "disable" },
            {
              onSuccess: (result) => {
                setConfirm(null);
                if (result.oneTimePassword) setPassword(result.oneTimePassword);
                router.refresh();
              },
            },
          )
        }
      >
        <p>
          {confirm === "disable"
            ? `${user.username} will no longer be able to sign in, and API tokens they created stop working.`
            : confirm === "enable"
              ? `${user.username} will be able to sign in again.`
              : `${user.username} gets a one-time password, to be changed at the next sign-in. The current password stops working.`}
        </p>
      </ConfirmDialog>
      <Dialog
        open={password !== null}
        onClose={() => setPassword(null)}
        title={`New password for "${user.username}"`}
        footer={<Button onClick={() => setPassword(null)}>Done</Button>}
      >
        {password && <SecretOnce label="One-time password" value={password} />}
      </Dialog>
    </div>
  );
}
