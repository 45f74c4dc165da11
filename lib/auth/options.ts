// next-auth configuration: username and password against the users table (throttled), and a
// signed JWT cookie that names a session row (lib/auth/sessions.ts), eight hours by default.
// lib/auth/guard.ts checks that row and reloads the user on every request, so signing out, a
// password change, disabling a user or changing their role ends a session at once.
import "server-only";
import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { db } from "@/lib/db/client";
import { env, trustRequestHostForSignIn } from "@/lib/env";
import { forwardedClientIp, headerReader } from "@/lib/forwarded";
import { verifyCredentials } from "./credentials";
import { isRole, type Role } from "./permissions";
import { sameOriginPath } from "./redirects";
import { authSecret } from "./secret";
import { createSession, revokeSession } from "./sessions";

declare module "next-auth" {
  interface Session {
    user: { id: string; username: string; role: Role };
    /** The session row this cookie stands for (lib/auth/sessions.ts). */
    sid?: string;
  }
  interface User {
    username: string;
    role: Role;
    sid: string;
  }
}

declare module "next-auth/jwt" {
  interface JWT {
    username?: string;
    role?: Role;
    sid?: string;
  }
}

export const SIGN_IN_PATH = "/login";

let options: NextAuthOptions | undefined;

export function authOptions(): NextAuthOptions {
  if (options) return options;
  const config = env();
  if (!config.NEXTAUTH_URL) trustRequestHostForSignIn();
  options = {
    secret: authSecret(),
    session: { strategy: "jwt", maxAge: config.KEYWARD_SESSION_MAX_AGE_SECONDS },
    jwt: { maxAge: config.KEYWARD_SESSION_MAX_AGE_SECONDS },
    pages: { signIn: SIGN_IN_PATH, error: SIGN_IN_PATH },
    providers: [
      CredentialsProvider({
        name: "Keyward",
        credentials: {
          username: { label: "Username", type: "text" },
          password: { label: "Password", type: "password" },
        },
        async authorize(credentials, req) {
          const username = String(credentials?.username ?? "").slice(0, 64);
          const password = String(credentials?.password ?? "").slice(0, 256);
          if (!username || !password) return null;
          const ip = forwardedClientIp(headerReader(req?.headers));
          const user = await verifyCredentials(db(), { username, password, ip });
          if (!user) return null;
          const sid = await createSession(db(), {
            userId: user.id,
            maxAgeSeconds: config.KEYWARD_SESSION_MAX_AGE_SECONDS,
            ip,
          });
          return { id: user.id, username: user.username, role: user.role, sid };
        },
      }),
    ],
    callbacks: {
      jwt({ token, user }) {
        if (user) {
          token.sub = user.id;
          token.username = user.username;
          token.role = user.role;
          token.sid = user.sid;
        }
        return token;
      },
      session({ session, token }) {
        session.user = {
          id: token.sub ?? "",
          username: token.username ?? "",
          role: isRole(token.role) ? token.role : "auditor",
        };
        session.sid = token.sid;
        return session;
      },
      // Only paths of this console after sign-in, as a browser would resolve them (issue 15 item 4).
      redirect({ url, baseUrl }) {
        return sameOriginPath(url, baseUrl) ?? baseUrl;
      },
    },
    events: {
      // Sign-out ends this session's row, so the cookie is worthless even if it was copied.
      async signOut({ token }) {
        if (token?.sid) await revokeSession(db(), token.sid);
      },
    },
  };
  return options;
}
