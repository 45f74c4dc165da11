// The console's 404, inside its frame: a mistyped URL or an object that no longer exists leaves
// the navigation in place, with the way back.
import Link from "next/link";

export default function ConsoleNotFound() {
  return (
    <div className="mx-auto max-w-lg px-6 py-24 text-center" data-testid="not-found">
      <p className="text-sm font-semibold text-indigo-700">404</p>
      <h1 className="mt-2 text-2xl font-semibold text-slate-900">This page does not exist</h1>
      <p className="mt-2 text-sm text-slate-600">
        The address may be mistyped, or what it named was deleted or renamed. Use the navigation, or go back
        to the overview.
      </p>
      <Link href="/" className="mt-6 inline-block text-sm font-medium text-indigo-700 hover:underline">
        Back to the overview
      </Link>
    </div>
  );
}
