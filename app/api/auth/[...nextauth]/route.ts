// next-auth's endpoints (sign-in, sign-out, session, CSRF token). The options are built on the
// first request, when the master key (from which the session secret may derive) is available.
import { NextRequest } from "next/server";
import NextAuth from "next-auth";
import { authOptions } from "@/lib/auth/options";

type NextAuthContext = { params: Promise<{ nextauth: string[] }> };

// next-auth copies the error page's "error" parameter into a redirect; a newline in it made the
// Location header invalid and the answer a 500 (issue 15 item 9). Its own codes are words.
const ERROR_CODE = /^[A-Za-z]{1,64}$/;

async function handler(req: Request, ctx: NextAuthContext): Promise<Response> {
  const url = new URL(req.url);
  const error = url.searchParams.get("error");
  if (error !== null && !ERROR_CODE.test(error)) {
    url.searchParams.set("error", "Default");
    req = new NextRequest(url, req);
  }
  return NextAuth(req as never, ctx as never, authOptions());
}

export { handler as GET, handler as POST };
