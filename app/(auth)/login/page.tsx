// Sign-in. An already signed-in user goes straight on: to the page asked for, or to their role's
// home page (an approver's is the approvals queue).
import { redirect } from "next/navigation";
import { LoginForm } from "@/components/auth/LoginForm";
import { getSessionActor } from "@/lib/auth/guard";
import { homePathOf } from "@/lib/auth/permissions";
import { safeCallbackPath } from "@/lib/auth/redirects";

export const metadata = { title: "Sign in · Keyward" };

export default async function LoginPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const params = await searchParams;
  // Only paths of this console, resolved as the browser will resolve them (no open redirect);
  // without one, the home page of the user's role.
  const requested = Array.isArray(params.callbackUrl) ? params.callbackUrl[0] : params.callbackUrl;
  const callbackUrl = requested ? safeCallbackPath(requested) : null;
  const actor = await getSessionActor();
  if (actor) redirect(callbackUrl ?? homePathOf(actor.role));
  return (
    <>
      <h1 className="text-lg font-semibold text-slate-900">Sign in to the console</h1>
      <p className="mt-1 text-sm text-slate-500">Use the account an administrator gave you.</p>
      <LoginForm callbackUrl={callbackUrl} />
    </>
  );
}
