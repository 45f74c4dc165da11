// Sign-in. An already signed-in user goes straight on.
import { redirect } from "next/navigation";
import { LoginForm } from "@/components/auth/LoginForm";
import { getSessionActor } from "@/lib/auth/guard";
import { safeCallbackPath } from "@/lib/auth/redirects";

export const metadata = { title: "Sign in · Keyward" };

export default async function LoginPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const params = await searchParams;
  // Only paths of this console, resolved as the browser will resolve them (no open redirect).
  const callbackUrl = safeCallbackPath(
    Array.isArray(params.callbackUrl) ? params.callbackUrl[0] : params.callbackUrl,
  );
  if (await getSessionActor()) redirect(callbackUrl);
  return (
    <>
      <h1 className="text-lg font-semibold text-slate-900">Sign in to the console</h1>
      <p className="mt-1 text-sm text-slate-500">Use the account an administrator gave you.</p>
      <LoginForm callbackUrl={callbackUrl} />
    </>
  );
}
