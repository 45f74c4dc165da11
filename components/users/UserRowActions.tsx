"use client";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { Button } from "@/components/ui/Button";
import { ConfirmDialog } from "@/components/ui/ConfirmDialog";
import { Dialog } from "@/components/ui/Dialog";
import { ROLE_DESCRIPTIONS, ROLE_LABELS, ROLES, type Role } from "@/lib/auth/permissions";
import { errorMessage } from "@/lib/console/client/api";
import { useUpdateUserMutation } from "@/lib/console/client/queries";
import type { UserView } from "@/lib/console/users";
import { SecretOnce } from "./SecretOnce";

export function UserRowActions({ user, isSelf }: { user: UserView; isSelf: boolean }) {
  const router = useRouter();
  const mutation = useUpdateUserMutation(user.username);
  // Every change asks first, naming the user (a new role, too: it ends their sessions).
  const [confirm, setConfirm] = useState<"disable" | "enable" | "reset" | "unlock" | Role | null>(null);
  const [password, setPassword] = useState<string | null>(null);
  const newRole =
    confirm !== null && (ROLES as readonly string[]).includes(confirm) ? (confirm as Role) : null;
  const locked = user.signInLock?.lockedUntil ?? null;
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
        onChange={(e) => setConfirm(e.target.value as Role)}
      >
        {ROLES.map((r) => (
          <option key={r} value={r}>
            {ROLE_LABELS[r]}
          </option>
        ))}
      </select>
      {locked && (
        <Button size="sm" variant="secondary" onClick={() => setConfirm("unlock")}>
          Unlock sign-in
        </Button>
      )}
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
      <ConfirmDialog
        open={confirm !== null}
        onClose={() => {
          mutation.reset();
          setConfirm(null);
        }}
        title={
          newRole
            ? `Make "${user.username}" ${ROLE_LABELS[newRole].toLowerCase()}${isSelf ? " (yourself)" : ""}?`
            : confirm === "disable"
              ? `Disable user "${user.username}"?`
              : confirm === "enable"
                ? `Enable user "${user.username}"?`
                : confirm === "unlock"
                  ? `Unlock sign-in for "${user.username}"?`
                  : `Reset the password of "${user.username}"?`
        }
        confirmLabel={
          newRole
            ? "Change role"
            : confirm === "disable"
              ? "Disable"
              : confirm === "enable"
                ? "Enable"
                : confirm === "unlock"
                  ? "Unlock"
                  : "Reset password"
        }
        danger={confirm === "disable" || confirm === "reset" || newRole !== null}
        pending={mutation.isPending}
        error={mutation.error ? errorMessage(mutation.error) : null}
        onConfirm={() =>
          mutation.mutate(
            newRole
              ? { role: newRole }
              : confirm === "reset"
                ? { resetPassword: true }
                : confirm === "unlock"
                  ? { unlockSignIn: true }
                  : { disabled: confirm === "disable" },
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
          {newRole
            ? `${user.username} goes from ${ROLE_LABELS[user.role]} to ${ROLE_LABELS[newRole]}: ${ROLE_DESCRIPTIONS[newRole].toLowerCase()}. Their sessions end, and their API tokens act with no more than the new role allows.`
            : confirm === "disable"
              ? `${user.username} will no longer be able to sign in, their sessions end, and API tokens they created stop working.`
              : confirm === "enable"
                ? `${user.username} will be able to sign in again.`
                : confirm === "unlock"
                  ? `${user.username} was locked out after ${user.signInLock?.failures ?? 0} failed sign-ins; they can try again at once.`
                  : `${user.username} gets a one-time password, to be changed at the next sign-in. The current password stops working and their sessions end.`}
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
