/** @type {import('next').NextConfig} */
const nextConfig = {
  poweredByHeader: false,
  reactStrictMode: true,
  // forbidden() in console pages: a role without the permission gets a real 403 (app/forbidden.tsx).
  experimental: { authInterrupts: true },
  // Server-only packages that must be loaded by Node, not bundled.
  serverExternalPackages: [
    "@prisma/client",
    "@prisma/adapter-pg",
    "pg",
    "@peculiar/x509",
    "reflect-metadata",
    "prom-client",
    "pino",
    "pino-pretty",
  ],
};

export default nextConfig;
