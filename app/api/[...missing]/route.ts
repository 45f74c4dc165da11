// Any /api path that no route answers: a 404 problem document, as every API answer is — not the
// console's own 404 page (app/(console)/[...missing]) nor its sign-in redirect.
import { problemResponse } from "@/lib/console/api/with-console";
import { notFoundProblem } from "@/lib/problem";

function missing(req: Request): Response {
  return problemResponse(notFoundProblem(`API path ${new URL(req.url).pathname}`), req);
}

export const GET = missing;
export const HEAD = missing;
export const POST = missing;
export const PUT = missing;
export const PATCH = missing;
export const DELETE = missing;
