import Link from "next/link";

export default function Forbidden() {
  return (
    // Shown inside the console's frame, whose <main> holds it: one main landmark per page.
    <div className="mx-auto max-w-lg px-6 py-24 text-center">
      <p className="text-sm font-semibold text-indigo-700">403</p>
      <h1 className="mt-2 text-2xl font-semibold text-slate-900">Your role does not allow this page</h1>
      <p className="mt-2 text-sm text-slate-600">Ask an administrator if you need access.</p>
      <Link href="/" className="mt-6 inline-block text-sm font-medium text-indigo-700 hover:underline">
        Back to the overview
      </Link>
    </div>
  );
}
