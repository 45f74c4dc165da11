import path from "node:path";
import { defineConfig } from "vitest/config";

const alias = { "@": path.resolve(import.meta.dirname) };

export default defineConfig({
  resolve: { alias },
  test: {
    projects: [
      {
        resolve: { alias },
        test: { name: "unit", include: ["tests/unit/**/*.test.ts"], environment: "node" },
      },
      {
        resolve: { alias },
        test: {
          name: "integration",
          include: ["tests/integration/**/*.test.ts"],
          environment: "node",
          globalSetup: ["tests/support/global-setup.ts"],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
      {
        resolve: { alias },
        test: {
          // Real ACME clients (Debian certbot, lego) against a running Keyward; each client
          // command is bounded by tests/support/interop-setup.ts CLIENT_TIMEOUT_MS.
          name: "interop",
          include: ["tests/interop/**/*.test.ts"],
          environment: "node",
          globalSetup: ["tests/support/interop-setup.ts"],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
      {
        resolve: { alias },
        test: {
          // The console in Debian's chromium through playwright-core (playwright.config.ts), against
          // its own server on a fresh database. scripts/test.ts runs it in a vitest run of its own,
          // beside the other projects' run (`vitest run --project e2e`).
          name: "e2e",
          include: ["tests/e2e/**/*.e2e.test.ts"],
          environment: "node",
          globalSetup: ["tests/e2e/support/global-setup.ts"],
          // A page re-renders after the server answered; on two busy cores that can take seconds.
          expect: { poll: { timeout: 10_000 } },
          testTimeout: 60_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
