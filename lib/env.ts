// Keyward's configuration: environment variables, parsed once with zod. The only module that reads
// process.env, and the only one that writes it, for the libraries that read it themselves
// (next-auth, the Next app and child processes reading DATABASE_URL). The README's configuration
// table lists the same variables; keep the two in step.
import path from "node:path";
import { z } from "zod";
import { parseProxyAddress } from "./forwarded";

const port = z.coerce.number().int().min(0).max(65535);
const flag = z
  .enum(["0", "1"])
  .default("0")
  .transform((v) => v === "1");
const list = z.string().transform((s) =>
  s
    .split(",")
    .map((x) => x.trim())
    .filter(Boolean),
);

const trustedProxy = z.string().refine((entry) => parseProxyAddress(entry) !== null, {
  error: (issue) =>
    `"${String(issue.input)}" is not an IP address or CIDR range (e.g. 10.0.0.5, 10.0.0.0/8, fd00::/8)`,
});

const envSchema = z.object({
  DATABASE_URL: z.string().min(1).optional(),
  KEYWARD_DATA_DIR: z.string().min(1).default("./data"),
  KEYWARD_LISTEN: z.string().min(1).default("0.0.0.0"),
  KEYWARD_HTTP_PORT: port.default(3000),
  KEYWARD_HTTPS_PORT: port.default(3443),
  // The mutual-TLS HTTPS port: it asks every client for a certificate (spec "URL Endpoints and
  // Aliases": the URLs with client authentication, as EJBCA serves 8443 beside 8442).
  KEYWARD_MTLS_PORT: port.default(3444),
  // Where ACME clients reach Keyward with client-certificate authentication, when that is not the
  // mutual-TLS port of the host they asked (behind a TLS-terminating proxy): an https origin.
  KEYWARD_MTLS_URL: z.url({ protocol: /^https$/, error: "KEYWARD_MTLS_URL must be an https URL" }).optional(),
  // Addresses and CIDR ranges of proxies whose X-Forwarded-For/-Proto/-Host and X-SSL-Client-Cert
  // headers are believed (lib/forwarded.ts); from anyone else those headers are removed.
  KEYWARD_TRUSTED_PROXIES: list.pipe(z.array(trustedProxy).max(100)).default([]),
  KEYWARD_HOSTNAMES: list.default(["localhost", "127.0.0.1", "::1"]),
  // Who the console answers on plain HTTP: "loopback" (the default) serves only this machine and
  // redirects everyone else to HTTPS (issue 15 item 8); "any" serves everyone (an operator whose
  // TLS ends at a proxy that is not in KEYWARD_TRUSTED_PROXIES). ACME and /ca/* are unaffected.
  KEYWARD_CONSOLE_PLAIN_HTTP: z.enum(["loopback", "any"]).default("loopback"),
  // base64 of 32 random bytes; when unset, <data dir>/master.key (mode 0600) is used or created.
  KEYWARD_MASTER_KEY: z.string().min(1).optional(),
  KEYWARD_MASTER_KEY_FILE: z.string().min(1).optional(),
  // The passphrase that encrypts the master key in a backup (`backup --include-master-key`) and
  // opens it at `restore`; read here so it never has to be typed on a command line.
  KEYWARD_BACKUP_PASSPHRASE: z.string().min(1).max(1024).optional(),
  KEYWARD_TLS_CERT_FILE: z.string().min(1).optional(),
  KEYWARD_TLS_KEY_FILE: z.string().min(1).optional(),
  KEYWARD_CA_KEY_ALGORITHM: z
    .enum(["ECDSA-P256", "ECDSA-P384", "RSA-3072", "RSA-4096"])
    .default("ECDSA-P256"),
  KEYWARD_CA_NAME: z.string().min(1).max(64).default("Keyward"),
  KEYWARD_LOG_REQUESTS: flag,
  // The least severe log lines written (lib/observability/logger.ts).
  KEYWARD_LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  // Addresses and CIDR ranges that may read /metrics without an API token (issue 17); anyone
  // else needs a token whose role may read the audit log (auditor, administrator). Empty: token
  // only.
  KEYWARD_METRICS_ALLOW: list.pipe(z.array(trustedProxy).max(100)).default(["127.0.0.0/8", "::1"]),
  // Base of the URLs written into certificates (CRL distribution point, AIA caIssuers); must be
  // reachable by relying parties over plain HTTP (RFC 5280 §4.2.1.13). Default: the first host
  // name on the HTTP port.
  KEYWARD_PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
  // Ports the validation authority connects to. RFC 8555 §8.3 and RFC 8737 §3 fix them at 80 and
  // 443; they are configurable so that tests can run unprivileged responders.
  KEYWARD_VA_HTTP01_PORT: port.default(80),
  KEYWARD_VA_TLSALPN01_PORT: port.default(443),
  // A valid authorization of the same account and identifier is reused for new orders for this
  // many days (0: never).
  KEYWARD_AUTHZ_REUSE_DAYS: z.coerce.number().int().min(0).max(365).default(30),
  // How long an instance that moved an order to processing owns its issuance; past it, another
  // instance's sweeper finishes the order from its stored CSR (a crash between signing and
  // storing leaves no order processing for ever).
  KEYWARD_ISSUANCE_LEASE_SECONDS: z.coerce.number().int().min(1).max(3600).default(60),
  // For the fault tests only: "exit-after-signing" kills the process after a certificate is
  // signed and before it is stored.
  KEYWARD_TEST_FAULT: z.enum(["none", "exit-after-signing"]).default("none"),
  // 1: the Next app in development mode (npm run dev).
  KEYWARD_DEV: flag,
  // 1: the migration engine's own log lines on stderr.
  KEYWARD_MIGRATE_DEBUG: flag,

  // Console sign-in. next-auth signs and encrypts session cookies with NEXTAUTH_SECRET; when unset,
  // a secret is derived from the master key (lib/auth/secret.ts), so sessions survive restarts
  // and every instance that shares the database (and therefore the master key) accepts the
  // others' sessions.
  NEXTAUTH_SECRET: z.string().min(32, "NEXTAUTH_SECRET must be at least 32 characters").optional(),
  // The console's public URL when it sits behind a proxy; otherwise each request's own Host and
  // scheme are used, so the console works on the HTTP and the HTTPS port alike.
  NEXTAUTH_URL: z.url({ protocol: /^https?$/ }).optional(),
  // How long a console session lasts without signing in again.
  KEYWARD_SESSION_MAX_AGE_SECONDS: z.coerce
    .number()
    .int()
    .min(300)
    .max(7 * 86_400)
    .default(8 * 3600),
  // The first administrator created at first start (lib/auth/bootstrap-admin.ts).
  KEYWARD_ADMIN_USERNAME: z
    .string()
    .regex(/^[A-Za-z0-9._@-]{1,64}$/)
    .default("admin"),
  KEYWARD_ADMIN_PASSWORD: z
    .string()
    .min(12, "KEYWARD_ADMIN_PASSWORD must be at least 12 characters")
    .max(256)
    .optional(),
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

/**
 * Called by the server once the mutual-TLS listener is bound: with KEYWARD_MTLS_PORT=0 the system
 * chose the port. Written to process.env as well, since the Next app has its own copy of this
 * module (its bundle) and must show the same URL.
 */
export function adoptBoundMtlsPort(port: number): void {
  env().KEYWARD_MTLS_PORT = port;
  process.env.KEYWARD_MTLS_PORT = String(port);
}

/**
 * The origin where ACME clients authenticate with a client certificate: KEYWARD_MTLS_URL when
 * set (a TLS-terminating proxy), else the mutual-TLS port on `hostname`, the host the request
 * named (a bracketed IPv6 literal stays bracketed).
 */
export function clientAuthOrigin(hostname: string): string {
  const e = env();
  if (e.KEYWARD_MTLS_URL) return new URL(e.KEYWARD_MTLS_URL).origin;
  // Read again rather than cached: the server adopts the bound port after this copy may have parsed.
  const port = envSchema.shape.KEYWARD_MTLS_PORT.parse(process.env.KEYWARD_MTLS_PORT);
  return `https://${hostname}${port === 443 ? "" : `:${port}`}`;
}

/**
 * Where the console's HTTPS listener is reached for `hostname` (a bracketed IPv6 literal stays
 * bracketed): NEXTAUTH_URL's origin when it is https (the console behind a proxy), else the HTTPS
 * port on that host. `httpsPort` is the bound port (KEYWARD_HTTPS_PORT may be 0).
 */
export function consoleHttpsOrigin(hostname: string, httpsPort: number): string {
  const configured = env().NEXTAUTH_URL;
  if (configured?.startsWith("https:")) return new URL(configured).origin;
  return `https://${hostname}${httpsPort === 443 ? "" : `:${httpsPort}`}`;
}

/**
 * The embedded database's URL, chosen at start (lib/bootstrap.ts): from now on the value of
 * DATABASE_URL for this process, the Next app and the processes it starts.
 */
export function adoptDatabaseUrl(url: string): void {
  env().DATABASE_URL = url;
  process.env.DATABASE_URL = url;
}

/**
 * next-auth reads AUTH_TRUST_HOST itself: without NEXTAUTH_URL it must take the origin from each
 * request (Host and the scheme Next puts in x-forwarded-proto), so the console answers on both
 * of Keyward's ports.
 */
export function trustRequestHostForSignIn(): void {
  process.env.AUTH_TRUST_HOST ??= "1";
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
