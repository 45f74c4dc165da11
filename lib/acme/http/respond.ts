// Turns replies and problems into Responses with the headers RFC 8555 requires of every ACME
// response: a fresh Replay-Nonce (§6.5), Link rel="index" to the directory (§7.1), and
// Cache-Control: no-store (§7.2 for nonces; we never want ACME answers cached).

import type { AcmeReply } from "@/lib/acme/resources/types";
import type { AcmeProblem } from "@/lib/problem";

export type CommonHeaders = { nonce?: string; indexUrl?: string };

export function replyToResponse(reply: AcmeReply, common: CommonHeaders, method: string): Response {
  const headers = baseHeaders(common);
  if (reply.location) headers.set("Location", reply.location);
  for (const link of reply.links ?? []) headers.append("Link", `<${link.url}>;rel="${link.rel}"`);
  if (reply.retryAfterSeconds !== undefined && reply.retryAfterSeconds > 0) {
    headers.set("Retry-After", String(reply.retryAfterSeconds));
  }
  let body: BodyInit | null = null;
  if (reply.body !== undefined) {
    if (reply.contentType) {
      headers.set("Content-Type", reply.contentType);
      body = reply.body as string;
    } else {
      headers.set("Content-Type", "application/json");
      body = JSON.stringify(reply.body, null, 2);
    }
  }
  const noBody = method === "HEAD" || reply.status === 204;
  return new Response(noBody ? null : body, { status: reply.status, headers });
}

export function problemToResponse(problem: AcmeProblem, common: CommonHeaders, method: string): Response {
  const headers = baseHeaders(common);
  headers.set("Content-Type", "application/problem+json");
  const { location, links, retryAfterSeconds } = problem.options;
  if (location) headers.set("Location", location);
  for (const link of links ?? []) headers.append("Link", `<${link.url}>;rel="${link.rel}"`);
  if (retryAfterSeconds !== undefined) headers.set("Retry-After", String(retryAfterSeconds));
  // 5xx problems never carry internal messages (the detail is fixed by whoever threw).
  const body = JSON.stringify(problem.toJSON(), null, 2);
  return new Response(method === "HEAD" ? null : body, { status: problem.status, headers });
}

export function methodNotAllowed(allow: string[], common: CommonHeaders, problem: AcmeProblem): Response {
  const res = problemToResponse(problem, common, "GET");
  res.headers.set("Allow", allow.join(", "));
  return res;
}

function baseHeaders(common: CommonHeaders): Headers {
  const headers = new Headers({ "Cache-Control": "no-store" });
  if (common.nonce) headers.set("Replay-Nonce", common.nonce);
  if (common.indexUrl) headers.append("Link", `<${common.indexUrl}>;rel="index"`);
  return headers;
}
