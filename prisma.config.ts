// Prisma 7 configuration. DATABASE_URL is read with process.env (not prisma's env()), because
// env() throws when the variable is unset and that would break `npm install` on a fresh clone
// (STACK.md). Migrations are applied by scripts/db.ts, not by the prisma CLI.
import { defineConfig } from "prisma/config";

export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  datasource: { url: process.env.DATABASE_URL ?? "postgresql://localhost/keyward" },
});
