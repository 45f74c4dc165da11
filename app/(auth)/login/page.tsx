// Sign-in. An already signed-in user goes straight on: to the page asked for, or to their role's
// home page (an approver's is the approvals queue).
import { redirect } from "next/navigation";
import { LoginForm } from "@/components/auth/LoginForm";
import { getSessionActor } from "@/lib/auth/guard";
import { homePathOf } from "@/lib/auth/permissions";

export const metadata = { title: "Sign in · Keyward" };

function safeCallback(value: string | string[] | undefined): string | null {
  const v = Array.isArray(value) ? value[0] : value;
  // Only paths of this console: never an absolute URL (open redirect).
  return v?.startsWith("/") && !v.startsWith("//") && !v.startsWith("/\\") && !v.startsWith("/login")
    ? v
    : null;
}

export default async function LoginPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const params = await searchParams;
  const callbackUrl = safeCallback(params.callbackUrl);
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
