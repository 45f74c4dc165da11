// next-auth configuration: username and password against the users table, a JWT session (no
// session table) carrying the user id and role, eight hours by default. The role in the token is
// for display only: lib/auth/guard.ts reloads the user on every request, so a disabled user or a
// changed role takes effect at once.
import "server-only";
import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { db } from "@/lib/db/client";
import { env, trustRequestHostForSignIn } from "@/lib/env";
import { forwardedClientIp, headerReader } from "@/lib/forwarded";
import { verifyCredentials } from "./credentials";
import { isRole, type Role } from "./permissions";
import { authSecret } from "./secret";

declare module "next-auth" {
  interface Session {
    user: { id: string; username: string; role: Role };
  }
  interface User {
    username: string;
    role: Role;
  }
}

declare module "next-auth/jwt" {
  interface JWT {
    username?: string;
    role?: Role;
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
          return user && { id: user.id, username: user.username, role: user.role };
        },
      }),
    ],
    callbacks: {
      jwt({ token, user }) {
        if (user) {
          token.sub = user.id;
          token.username = user.username;
          token.role = user.role;
        }
        return token;
      },
      session({ session, token }) {
        session.user = {
          id: token.sub ?? "",
          username: token.username ?? "",
          role: isRole(token.role) ? token.role : "auditor",
        };
        return session;
      },
    },
  };
  return options;
}
