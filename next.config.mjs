/** @type {import('next').NextConfig} */
const nextConfig = {
  poweredByHeader: false,
  reactStrictMode: true,
  // Server-only packages that must be loaded by Node, not bundled.
  serverExternalPackages: ["@prisma/client", "@prisma/adapter-pg", "pg", "@peculiar/x509", "reflect-metadata"],
};

export default nextConfig;
