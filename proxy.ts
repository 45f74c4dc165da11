// Security headers on every console response (issue 15 item 8), set by Next's proxy before a page
// renders. The Content-Security-Policy carries a fresh nonce per request: Next reads it from the
// request's policy header and puts it on its own scripts, so only scripts this response rendered
// run ('strict-dynamic' lets them load the chunks they import). The console is never framed
// (clickjacking), never sniffed, never leaks its URLs as a referrer, and is HTTPS-only once a
// browser has seen it over HTTPS. /acme never reaches Next (server.ts answers it).
import { type NextRequest, NextResponse } from "next/server";

/** The request header that carries the path and query of the page asked for (lib/auth/guard.ts). */
const REQUESTED_PATH_HEADER = "x-keyward-requested-path";

function requestedPath(url: URL): string {
  const params = new URLSearchParams(url.search);
  params.delete("_rsc"); // Next's client-navigation marker, not part of the page's address
  const query = params.toString();
  return query ? `${url.pathname}?${query}` : url.pathname;
}

export function proxy(request: NextRequest) {
  const nonce = Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString("base64");
  // NODE_ENV is fixed by Next at build time (not runtime configuration, which lib/env.ts reads).
  const dev = process.env.NODE_ENV === "development";
  const policy = [
    "default-src 'self'",
    // React's development build evaluates source maps; production never needs eval.
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${dev ? " 'unsafe-eval'" : ""}`,
    `style-src 'self' 'nonce-${nonce}'`,
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");

  const requestHeaders = new Headers(request.headers);
  requestHeaders.set("x-nonce", nonce);
  // The page asked for, with its query, so that a sign-in brings the user back to it (issue 16
  // item 8): server components see no URL of their own. Always overwritten, never the client's.
  requestHeaders.set(REQUESTED_PATH_HEADER, requestedPath(request.nextUrl));
  requestHeaders.set("content-security-policy", policy);
  const response = NextResponse.next({ request: { headers: requestHeaders } });
  response.headers.set("content-security-policy", policy);
  response.headers.set("x-frame-options", "DENY");
  response.headers.set("x-content-type-options", "nosniff");
  response.headers.set("referrer-policy", "no-referrer");
  response.headers.set("cross-origin-opener-policy", "same-origin");
  // RFC 6797: only on a response that came over HTTPS (server.ts tells Next the listener's scheme).
  if (request.headers.get("x-forwarded-proto") === "https" || request.nextUrl.protocol === "https:") {
    response.headers.set("strict-transport-security", "max-age=31536000");
  }
  return response;
}

export const config = {
  // Everything but the framework's immutable static files.
  matcher: [{ source: "/((?!_next/static|_next/image).*)" }],
};
