// The front page until the console lands: what this server is, where its ACME directory is and
// where to get the root certificate.
import { headers } from "next/headers";

export const dynamic = "force-dynamic";

export default async function Home() {
  const h = await headers();
  const host = h.get("host") ?? "localhost";
  const proto = h.get("x-forwarded-proto") ?? "https";
  const base = `${proto}://${host}`;
  return (
    <main className="mx-auto max-w-2xl p-10">
      <h1 className="text-3xl font-semibold">Keyward</h1>
      <p className="mt-2 text-slate-600">An ACME certificate authority (RFC 8555).</p>
      <section className="mt-8 space-y-2">
        <h2 className="text-lg font-medium">ACME directory</h2>
        <code className="block rounded bg-white p-3 shadow-sm">{base}/acme/directory</code>
        <p className="text-sm text-slate-600">Per alias: {base}/acme/&lt;alias&gt;/directory</p>
      </section>
      <section className="mt-8 space-y-2">
        <h2 className="text-lg font-medium">CA certificates</h2>
        <ul className="list-disc pl-6 text-blue-700">
          <li><a href="/ca/root.pem">Root CA (PEM)</a> · <a href="/ca/root.der">DER</a></li>
          <li><a href="/ca/issuing.pem">Issuing CA (PEM)</a> · <a href="/ca/issuing.der">DER</a></li>
          <li><a href="/ca/chain.pem">Chain (issuing, root)</a></li>
        </ul>
      </section>
    </main>
  );
}
