// next-auth's endpoints (sign-in, sign-out, session, CSRF token). The options are built on the
// first request, when the master key (from which the session secret may derive) is available.
import NextAuth from "next-auth";
import { authOptions } from "@/lib/auth/options";

type NextAuthContext = { params: Promise<{ nextauth: string[] }> };

async function handler(req: Request, ctx: NextAuthContext): Promise<Response> {
  return NextAuth(req as never, ctx as never, authOptions());
}

export { handler as GET, handler as POST };
