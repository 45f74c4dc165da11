// Keyward's configuration: environment variables, parsed once with zod. The README's
// configuration table lists the same variables; keep the two in step.
import path from "node:path";
import { z } from "zod";

const port = z.coerce.number().int().min(0).max(65535);
const list = z.string().transform((s) =>
  s
    .split(",")
    .map((x) => x.trim())
    .filter(Boolean),
);

const envSchema = z.object({
  DATABASE_URL: z.string().min(1).optional(),
  KEYWARD_DATA_DIR: z.string().min(1).default("./data"),
  KEYWARD_LISTEN: z.string().min(1).default("0.0.0.0"),
  KEYWARD_HTTP_PORT: port.default(3000),
  KEYWARD_HTTPS_PORT: port.default(3443),
  KEYWARD_HOSTNAMES: list.default(["localhost", "127.0.0.1", "::1"]),
  // base64 of 32 random bytes; when unset, <data dir>/master.key (mode 0600) is used or created.
  KEYWARD_MASTER_KEY: z.string().min(1).optional(),
  KEYWARD_MASTER_KEY_FILE: z.string().min(1).optional(),
  KEYWARD_TLS_CERT_FILE: z.string().min(1).optional(),
  KEYWARD_TLS_KEY_FILE: z.string().min(1).optional(),
  KEYWARD_CA_KEY_ALGORITHM: z
    .enum(["ECDSA-P256", "ECDSA-P384", "RSA-3072", "RSA-4096"])
    .default("ECDSA-P256"),
  KEYWARD_CA_NAME: z.string().min(1).max(64).default("Keyward"),
  KEYWARD_LOG_REQUESTS: z.enum(["0", "1"]).default("0"),
  // Base of the URLs written into certificates (CRL distribution point, AIA caIssuers); must be
  // reachable by relying parties over plain HTTP (RFC 5280 §4.2.1.13). Default: the first host
  // name on the HTTP port.
  KEYWARD_PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
  // Ports the validation authority connects to. RFC 8555 §8.3 and RFC 8737 §3 fix them at 80 and
  // 443; they are configurable so that tests can run unprivileged responders.
  KEYWARD_VA_HTTP01_PORT: port.default(80),
  KEYWARD_VA_TLSALPN01_PORT: port.default(443),
});

export type Env = z.infer<typeof envSchema> & { dataDir: string; publicUrl: string };

let cached: Env | undefined;

/**
 * Called by the server once it listens: with KEYWARD_HTTP_PORT=0 the default public URL can only
 * name the port the system chose.
 */
export function adoptBoundHttpPort(port: number): void {
  const e = env();
  if (e.KEYWARD_PUBLIC_URL || e.KEYWARD_HTTP_PORT !== 0) return;
  e.publicUrl = e.publicUrl.replace(/:0$/, `:${port}`);
}

/** The parsed environment. Throws with every invalid variable named. */
export function env(): Env {
  if (cached) return cached;
  const parsed = envSchema.safeParse(process.env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new Error(`Invalid configuration:\n${lines.join("\n")}`);
  }
  const host = parsed.data.KEYWARD_HOSTNAMES[0] ?? "localhost";
  const publicUrl = (
    parsed.data.KEYWARD_PUBLIC_URL ??
    `http://${host.includes(":") ? `[${host}]` : host}:${parsed.data.KEYWARD_HTTP_PORT}`
  ).replace(/\/$/, "");
  cached = { ...parsed.data, dataDir: path.resolve(parsed.data.KEYWARD_DATA_DIR), publicUrl };
  return cached;
}
