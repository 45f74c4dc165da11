// Which alias a request to /acme addresses, and in which URL form (spec "URL Endpoints and
// Aliases"). Every URL Keyward returns keeps the form the client used (links.ts).
import { ACME_PATH_WORDS } from "@/lib/acme/paths";
import type { UrlForm } from "@/lib/acme/wire/links";
import { AcmeProblem } from "@/lib/problem";

export type AcmeTarget = {
  form: UrlForm;
  /** The alias named in the URL, or null for the default alias. */
  aliasName: string | null;
  /** The path below the alias root, decoded, e.g. ["acct", "abc", "orders"]. */
  segments: string[];
};

/**
 * /acme/<resource>…                     → the default alias ("default" form)
 * /acme/<resource>…?configurationId=<a> → alias a ("query" form)
 * /acme/<alias>/<resource>…             → alias ("path" form)
 */
export function splitAcmePath(url: URL): AcmeTarget {
  const rest = url.pathname.replace(/^\/acme\/?/, "");
  let segments: string[];
  try {
    segments = rest === "" ? [] : rest.split("/").map(decodeURIComponent);
  } catch {
    throw AcmeProblem.malformed("The request path is not valid percent-encoding", { status: 404 });
  }
  const first = segments[0];
  if (first === undefined || first === "") throw AcmeProblem.notFound("Resource");
  if (ACME_PATH_WORDS.has(first)) {
    // (url.searchParams is built on first use: most requests have no query at all.)
    const configurationId = url.search === "" ? null : url.searchParams.get("configurationId");
    return configurationId !== null
      ? { form: "query", aliasName: configurationId, segments }
      : { form: "default", aliasName: null, segments };
  }
  return { form: "path", aliasName: first, segments: segments.slice(1) };
}
