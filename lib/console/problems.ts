// Console errors are the product's one problem type (lib/acme/problem.ts) with an invalidParams
// extension naming the fields a form must mark (formbricks' invalid_params). These helpers build
// the shapes the console uses; the API renders them as application/problem+json.
import type { z } from "zod";
import { AcmeProblem } from "@/lib/problem";

export type InvalidParam = { name: string; reason: string };

/** 422: the request was understood but some fields are not acceptable. */
export function invalidParamsProblem(invalidParams: InvalidParam[], detail?: string): AcmeProblem {
  const first = invalidParams[0];
  const summary = !first
    ? "The request is invalid"
    : invalidParams.length === 1
      ? `${first.name}: ${first.reason}`
      : `${invalidParams.length} fields are invalid: ${[...new Set(invalidParams.map((p) => p.name))].join(", ")}`;
  return AcmeProblem.malformed(detail ?? summary, {
    status: 422,
    extra: { invalidParams },
  });
}

/** Every zod issue as a named field; the path is dotted (settings.dnsPort, authorizedRedirectPorts.2). */
export function zodIssuesToInvalidParams(error: z.ZodError, prefix?: string): InvalidParam[] {
  const name = (path: PropertyKey[]) => [prefix, ...path.map(String)].filter(Boolean).join(".") || "body";
  return error.issues.flatMap((issue) =>
    // An unknown field is reported at the object; name the field itself instead.
    issue.code === "unrecognized_keys"
      ? issue.keys.map((key) => ({ name: name([...issue.path, key]), reason: "Unknown field" }))
      : [{ name: name(issue.path), reason: issue.message }],
  );
}

export function zodProblem(error: z.ZodError, prefix?: string): AcmeProblem {
  return invalidParamsProblem(zodIssuesToInvalidParams(error, prefix));
}

/** 409: the change collides with the current state (a duplicate name, a last administrator). */
export function conflictProblem(detail: string, field?: string): AcmeProblem {
  return AcmeProblem.malformed(detail, {
    status: 409,
    extra: field ? { invalidParams: [{ name: field, reason: detail }] } : undefined,
  });
}

export function notFoundProblem(what: string): AcmeProblem {
  return AcmeProblem.malformed(`${what} does not exist`, { status: 404 });
}
