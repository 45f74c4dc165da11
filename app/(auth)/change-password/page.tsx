// Where a user with a one-time password lands before anything else; anyone may come here to
// change theirs.
import { ChangePasswordForm } from "@/components/auth/ChangePasswordForm";
import { requireSession } from "@/lib/auth/guard";

export const metadata = { title: "Change password · Keyward" };

export default async function ChangePasswordPage() {
  const actor = await requireSession({ allowPasswordChange: true, callbackUrl: "/change-password" });
  return (
    <>
      <h1 className="text-lg font-semibold text-slate-900">Change your password</h1>
      <p className="mt-1 text-sm text-slate-500">
        {actor.mustChangePassword
          ? `Signed in as ${actor.username} with a one-time password: choose your own to continue.`
          : `Signed in as ${actor.username}.`}
      </p>
      <ChangePasswordForm />
    </>
  );
}
