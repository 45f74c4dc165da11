// Backup and restore of the whole CA (issue 17 item 4), for `npm run keyward -- backup | restore`.
//
// The archive is one gzip file of JSON lines:
//   line 1       the manifest: format and its version, Keyward's version, when, from which kind of
//                database, the migrations applied, per table its columns, row count and SHA-256,
//                the sequences, the CA certificates with their fingerprints, each CA's last CRL
//                number, a check value of the master key, and the master key itself only when
//                asked for, encrypted under a passphrase (scrypt + AES-256-GCM);
//   then         every row of every table, table after table in the manifest's order (parents
//                first), one JSON object a line as PostgreSQL wrote it.
// gzip's CRC catches a damaged or cut file; the counts and checksums catch a changed row. They do
// not stop someone who rewrites the manifest too: keep backups where only operators can write.
//
// The master key is not in a backup by default: whoever holds the archive then holds the CA keys
// only sealed. The manifest's check value (an HMAC of a constant under the key) tells restore
// whether the key configured on the target is the right one, without revealing it.
import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  randomBytes,
  scrypt,
  X509Certificate,
} from "node:crypto";
import { createWriteStream } from "node:fs";
import fs from "node:fs/promises";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { promisify } from "node:util";
import { createGzip, gunzip } from "node:zlib";
import { z } from "zod";
import {
  countOtherSessions,
  type DatabaseSnapshot,
  inspectDatabase,
  loadDatabaseSnapshot,
  readDatabaseSnapshot,
  recordBackupAuditEvent,
  wipeSchema,
} from "@/lib/db/backup";
import { applyMigrations, listMigrationNames, MIGRATIONS_DIR } from "@/lib/db/migrate";

export const BACKUP_FORMAT = "keyward-backup";
export const BACKUP_FORMAT_VERSION = 1;

// scrypt parameters for the master key's passphrase: N = 2^17, r = 8 (128 MiB, ~0.4 s here), the
// interactive-login cost RFC 7914 §2 names for 2009 hardware, raised 8x; p = 1.
const SCRYPT_N = 2 ** 17;
const SCRYPT_R = 8;
const SCRYPT_P = 1;
// An archive may name other parameters; these bounds keep a hostile one from asking for gigabytes.
const SCRYPT_MAX_N = 2 ** 20;
const SCRYPT_MAX_MEMORY_BYTES = 1024 * 1024 * 1024;
/** A passphrase guards the CA keys: as long as the shortest password Keyward accepts. */
export const MIN_PASSPHRASE_LENGTH = 12;
// Bound into the GCM tag: a sealed key from another context (or format version) does not open.
const MASTER_KEY_AAD = "keyward-backup:master-key:v1";
const MASTER_KEY_CHECK_LABEL = "keyward-backup:master-key-check:v1";

const KEYWARD_VERSION: string = createRequire(import.meta.url)("../../package.json").version;

/** An archive or a restore that cannot go on; the message is for the operator. */
export class BackupError extends Error {
  override readonly name = "BackupError";
}

const base64 = z.base64().max(1024);
const hex = z
  .string()
  .regex(/^[0-9a-f]*$/)
  .max(128);
const identifier = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,62}$/);

const sealedMasterKeySchema = z.object({
  kdf: z.literal("scrypt"),
  n: z.number().int().min(2).max(SCRYPT_MAX_N),
  r: z.number().int().min(1).max(32),
  p: z.number().int().min(1).max(16),
  salt: base64,
  cipher: z.literal("aes-256-gcm"),
  iv: base64,
  tag: base64,
  ciphertext: base64,
});
type SealedMasterKey = z.infer<typeof sealedMasterKeySchema>;

export const backupManifestSchema = z.object({
  format: z.literal(BACKUP_FORMAT),
  formatVersion: z.literal(BACKUP_FORMAT_VERSION),
  keywardVersion: z.string().max(64),
  createdAt: z.iso.datetime(),
  database: z.enum(["postgresql", "embedded"]),
  migrations: z.array(z.string().regex(/^[A-Za-z0-9_]{1,200}$/)).max(10_000),
  tables: z
    .array(
      z.object({
        name: identifier,
        columns: z.array(identifier).min(1).max(1000),
        rows: z.number().int().min(0),
        sha256: hex,
      }),
    )
    .max(1000),
  sequences: z
    .array(
      z.object({
        table: identifier,
        column: identifier,
        lastValue: z.string().regex(/^-?\d{1,19}$/),
        isCalled: z.boolean(),
      }),
    )
    .max(1000),
  caCertificates: z
    .array(
      z.object({
        id: z.string().max(64),
        name: z.string().max(256),
        role: z.string().max(32),
        subjectDn: z.string().max(2048),
        serialHex: z.string().max(64),
        notBefore: z.string().max(64),
        notAfter: z.string().max(64),
        sha256Fingerprint: hex,
        pem: z.string().max(64 * 1024),
      }),
    )
    .max(100),
  lastCrlNumbers: z
    .array(z.object({ caId: z.string().max(64), number: z.string().regex(/^\d{1,40}$/) }))
    .max(100),
  masterKeyCheck: hex,
  masterKey: sealedMasterKeySchema.nullable(),
});
export type BackupManifest = z.infer<typeof backupManifestSchema>;

// ---------------------------------------------------------------------------------------------
// The master key

/** Identifies a master key without revealing it (HMAC-SHA-256 of a fixed label, 128 bits shown). */
export function masterKeyCheck(key: Buffer): string {
  return createHmac("sha256", key).update(MASTER_KEY_CHECK_LABEL).digest("hex").slice(0, 32);
}

async function deriveKey(passphrase: string, salt: Buffer, n: number, r: number, p: number): Promise<Buffer> {
  // scrypt needs 128·N·r bytes; Node refuses above maxmem (32 MiB by default).
  if (128 * n * r > SCRYPT_MAX_MEMORY_BYTES)
    throw new BackupError("The archive asks for scrypt parameters beyond 1 GiB of memory: refused.");
  const maxmem = Math.min(SCRYPT_MAX_MEMORY_BYTES, 256 * n * r + 64 * 1024 * 1024);
  return new Promise((resolve, reject) =>
    scrypt(passphrase.normalize("NFC"), salt, 32, { N: n, r, p, maxmem }, (err, key) =>
      err ? reject(err) : resolve(key),
    ),
  );
}

export async function sealMasterKey(key: Buffer, passphrase: string): Promise<SealedMasterKey> {
  const salt = randomBytes(16);
  const iv = randomBytes(12);
  const cipher = createCipheriv(
    "aes-256-gcm",
    await deriveKey(passphrase, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P),
    iv,
  );
  cipher.setAAD(Buffer.from(MASTER_KEY_AAD));
  const ciphertext = Buffer.concat([cipher.update(key), cipher.final()]);
  return {
    kdf: "scrypt",
    n: SCRYPT_N,
    r: SCRYPT_R,
    p: SCRYPT_P,
    salt: salt.toString("base64"),
    cipher: "aes-256-gcm",
    iv: iv.toString("base64"),
    tag: cipher.getAuthTag().toString("base64"),
    ciphertext: ciphertext.toString("base64"),
  };
}

/** The backup's master key; a wrong passphrase (or a changed archive) fails GCM's check. */
export async function openMasterKey(manifest: BackupManifest, passphrase: string): Promise<Buffer> {
  const sealed = manifest.masterKey;
  if (!sealed)
    throw new BackupError(
      "This backup does not contain the master key (taken without --include-master-key).",
    );
  const derived = await deriveKey(
    passphrase,
    Buffer.from(sealed.salt, "base64"),
    sealed.n,
    sealed.r,
    sealed.p,
  );
  const decipher = createDecipheriv("aes-256-gcm", derived, Buffer.from(sealed.iv, "base64"));
  decipher.setAAD(Buffer.from(MASTER_KEY_AAD));
  decipher.setAuthTag(Buffer.from(sealed.tag, "base64"));
  let key: Buffer;
  try {
    key = Buffer.concat([decipher.update(Buffer.from(sealed.ciphertext, "base64")), decipher.final()]);
  } catch {
    throw new BackupError("Wrong passphrase: the master key in this backup does not open with it.");
  }
  if (key.length !== 32 || masterKeyCheck(key) !== manifest.masterKeyCheck)
    throw new BackupError(
      "The master key in this backup does not match its check value: the archive was changed.",
    );
  return key;
}

// ---------------------------------------------------------------------------------------------
// Writing

export interface CreateBackupOptions {
  readonly databaseUrl: string;
  readonly database: BackupManifest["database"];
  /** The key the CA keys are sealed with: its check value always goes in, the key only if asked. */
  readonly masterKey: Buffer;
  /** Set: the master key is included, encrypted under this passphrase. */
  readonly masterKeyPassphrase?: string;
  /** The archive to write; refused if it exists. */
  readonly out: string;
  readonly now?: Date;
}

/**
 * Writes a backup of the database at one moment, while Keyward keeps serving, and audits it in
 * that database. The file is 0600 (it holds password hashes and sealed keys) and appears only
 * complete: written beside, then linked into place, never over an existing file.
 */
export async function createBackup(options: CreateBackupOptions): Promise<BackupManifest> {
  const passphrase = options.masterKeyPassphrase;
  if (passphrase !== undefined && passphrase.length < MIN_PASSPHRASE_LENGTH)
    throw new BackupError(`The backup passphrase must be at least ${MIN_PASSPHRASE_LENGTH} characters.`);
  const out = path.resolve(options.out);
  if (await exists(out)) throw new BackupError(`${out} exists already; choose another file.`);

  const snapshot = await readDatabaseSnapshot(options.databaseUrl);
  const manifest: BackupManifest = {
    format: BACKUP_FORMAT,
    formatVersion: BACKUP_FORMAT_VERSION,
    keywardVersion: KEYWARD_VERSION,
    createdAt: (options.now ?? new Date()).toISOString(),
    database: options.database,
    migrations: [...snapshot.migrations],
    tables: snapshot.tables.map((t) => ({
      name: t.name,
      columns: [...t.columns],
      rows: t.rows.length,
      sha256: tableChecksum(t.rows),
    })),
    sequences: snapshot.sequences.map((s) => ({ ...s })),
    caCertificates: caCertificatesOf(snapshot),
    lastCrlNumbers: lastCrlNumbersOf(snapshot),
    masterKeyCheck: masterKeyCheck(options.masterKey),
    masterKey: passphrase === undefined ? null : await sealMasterKey(options.masterKey, passphrase),
  };

  const temporary = `${out}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  try {
    await pipeline(
      Readable.from(archiveLines(manifest, snapshot)),
      createGzip(),
      createWriteStream(temporary, { mode: 0o600, flags: "wx" }),
    );
    await fs.link(temporary, out); // fails if `out` appeared meanwhile: never overwrites
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST")
      throw new BackupError(`${out} exists already; choose another file.`);
    throw error;
  } finally {
    await fs.rm(temporary, { force: true });
  }

  await recordBackupAuditEvent(options.databaseUrl, {
    action: "backup.created",
    targetId: manifest.createdAt,
    details: {
      file: out,
      rows: manifest.tables.reduce((sum, t) => sum + t.rows, 0),
      masterKeyIncluded: manifest.masterKey !== null,
    },
  });
  return manifest;
}

function* archiveLines(manifest: BackupManifest, snapshot: DatabaseSnapshot): Generator<string> {
  yield `${JSON.stringify(manifest)}\n`;
  for (const table of snapshot.tables) for (const row of table.rows) yield `${row}\n`;
}

function tableChecksum(rows: readonly string[]): string {
  const hash = createHash("sha256");
  for (const row of rows) hash.update(`${row}\n`);
  return hash.digest("hex");
}

function rowsOf(snapshot: DatabaseSnapshot, table: string): Record<string, unknown>[] {
  return (snapshot.tables.find((t) => t.name === table)?.rows ?? []).map((r) => JSON.parse(r));
}

/** bytea as row_to_json writes it: "\\x" and hex. */
function byteaOf(value: unknown): Buffer {
  if (typeof value !== "string" || !value.startsWith("\\x"))
    throw new BackupError("a bytea column is not hex");
  return Buffer.from(value.slice(2), "hex");
}

function caCertificatesOf(snapshot: DatabaseSnapshot): BackupManifest["caCertificates"] {
  return rowsOf(snapshot, "CertificateAuthority").map((row) => {
    const der = byteaOf(row.certificateDer);
    return {
      id: String(row.id),
      name: String(row.name),
      role: String(row.role),
      subjectDn: String(row.subjectDn),
      serialHex: String(row.serialHex),
      notBefore: String(row.notBefore),
      notAfter: String(row.notAfter),
      sha256Fingerprint: createHash("sha256").update(der).digest("hex"),
      pem: new X509Certificate(der).toString(),
    };
  });
}

/** RFC 5280 §5.2.3: a restored CA must go on numbering above these. */
function lastCrlNumbersOf(snapshot: DatabaseSnapshot): BackupManifest["lastCrlNumbers"] {
  const last = new Map<string, bigint>();
  for (const row of rowsOf(snapshot, "Crl")) {
    const caId = String(row.caId);
    const number = BigInt(String(row.number));
    if ((last.get(caId) ?? -1n) < number) last.set(caId, number);
  }
  return [...last].map(([caId, number]) => ({ caId, number: number.toString() }));
}

// ---------------------------------------------------------------------------------------------
// Reading and verifying

export interface VerifiedBackup {
  readonly manifest: BackupManifest;
  readonly snapshot: DatabaseSnapshot;
}

/**
 * Reads an archive and checks everything that can be checked without a database: gzip's CRC,
 * the manifest's shape, each table's row count and SHA-256, nothing after the last table, and
 * the manifest's CA certificates against the CA rows. Throws BackupError saying what is wrong.
 */
export async function readBackup(file: string): Promise<VerifiedBackup> {
  let text: string;
  try {
    text = (await promisify(gunzip)(await fs.readFile(file))).toString("utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "EACCES") throw new BackupError(`Cannot read ${file}: ${code}.`);
    throw new BackupError(
      `${file} is not a Keyward backup, or it is damaged or cut short (${(error as Error).message}).`,
    );
  }
  const lines = text.split("\n");
  let manifest: BackupManifest;
  try {
    const parsed = backupManifestSchema.safeParse(JSON.parse(lines[0] ?? ""));
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new BackupError(
        `its manifest is invalid at ${issue?.path.join(".") || "top level"}: ${issue?.message}`,
      );
    }
    manifest = parsed.data;
  } catch (error) {
    throw new BackupError(
      `${file} is not a Keyward backup of format ${BACKUP_FORMAT_VERSION}: ${error instanceof BackupError ? error.message : "its first line is not a manifest"}.`,
    );
  }

  const tables: DatabaseSnapshot["tables"][number][] = [];
  let next = 1;
  for (const table of manifest.tables) {
    const rows = lines.slice(next, next + table.rows);
    next += table.rows;
    if (rows.length !== table.rows)
      throw new BackupError(`Table ${table.name}: the archive ends before its ${table.rows} rows.`);
    if (tableChecksum(rows) !== table.sha256)
      throw new BackupError(
        `Table ${table.name}: its rows do not match the manifest's SHA-256 (changed or damaged).`,
      );
    tables.push({ name: table.name, columns: table.columns, rows });
  }
  // The last row ends in a newline: exactly one empty string may follow.
  if (lines.length !== next + 1 || lines[next] !== "")
    throw new BackupError("The archive holds more lines than its manifest lists (changed or damaged).");

  const snapshot: DatabaseSnapshot = {
    migrations: manifest.migrations,
    tables,
    sequences: manifest.sequences,
  };
  const fromRows = caCertificatesOf(snapshot)
    .map((c) => c.sha256Fingerprint)
    .sort();
  const listed = manifest.caCertificates.map((c) => c.sha256Fingerprint).sort();
  if (JSON.stringify(fromRows) !== JSON.stringify(listed))
    throw new BackupError(
      "The manifest's CA certificates are not the ones in the CertificateAuthority rows.",
    );
  return { manifest, snapshot };
}

// ---------------------------------------------------------------------------------------------
// Restoring

export interface RestoreMasterKey {
  /** The key configured where the restored Keyward will run, or null when none exists yet. */
  readonly current: Buffer | null;
  /** Where that is (KEYWARD_MASTER_KEY or the key file), for messages. */
  readonly location: string;
  /** Writes the backup's key there; called only when there is none and the backup holds it. */
  readonly install: (key: Buffer) => void | Promise<void>;
}

export interface RestoreOptions {
  readonly file: string;
  readonly databaseUrl: string;
  /** The embedded database: its connections share one session, so there is no one else to see. */
  readonly embedded: boolean;
  /** Wipe a target that is not empty (drop everything in its schema) and restore over it. */
  readonly force: boolean;
  /** Opens the backup's master key when the target has none. */
  readonly passphrase?: string;
  readonly masterKey: RestoreMasterKey;
}

export interface RestoreResult {
  readonly manifest: BackupManifest;
  readonly wiped: boolean;
  /** True when the backup's master key was written to the target's key file. */
  readonly masterKeyInstalled: boolean;
  /** Migrations of this build applied after the backup's rows were loaded. */
  readonly migrationsAppliedAfter: readonly string[];
}

/**
 * Restores a backup into an empty database: the backup's migrations, then its rows and sequences
 * in one transaction, then the migrations this build has beyond them (so an older backup goes
 * through the same data migrations as an upgraded server would). Refuses, before changing
 * anything: a damaged archive, a backup made by a newer Keyward, a target with rows (unless
 * `force`), other sessions on the target, and a master key that does not open the backup's CA
 * keys. The restored instance serves the same CAs, continues their CRL numbers and knows every
 * serial number issued before the backup.
 */
export async function restoreBackup(options: RestoreOptions): Promise<RestoreResult> {
  const { manifest, snapshot } = await readBackup(options.file);

  // 1. The master key the restored CA keys will be opened with.
  let keyToInstall: Buffer | null = null;
  const current = options.masterKey.current;
  if (current) {
    if (masterKeyCheck(current) !== manifest.masterKeyCheck)
      throw new BackupError(
        `The master key configured here (${options.masterKey.location}) is not the one this backup's CA keys are sealed with. ` +
          "Configure the original key, or remove this one and restore a backup taken with --include-master-key.",
      );
  } else if (manifest.masterKey) {
    if (options.passphrase === undefined)
      throw new BackupError(
        `No master key exists at ${options.masterKey.location}: give the backup's passphrase (KEYWARD_BACKUP_PASSPHRASE or --passphrase-file) to restore the one in the backup.`,
      );
    keyToInstall = await openMasterKey(manifest, options.passphrase);
  } else {
    throw new BackupError(
      `This backup does not contain the master key, and none exists at ${options.masterKey.location}: ` +
        "put the original master key there (or set KEYWARD_MASTER_KEY) first.",
    );
  }

  // 2. This build must know every migration the backup's schema went through.
  const known = await listMigrationNames();
  const unknown = manifest.migrations.filter((m) => !known.includes(m));
  if (unknown.length)
    throw new BackupError(
      `This backup was made by a newer Keyward (${manifest.keywardVersion}); migrations unknown here: ${unknown.join(", ")}.`,
    );

  // 3. The target: nobody else on it, and empty (or wiped, when forced).
  if (!options.embedded) {
    const others = await countOtherSessions(options.databaseUrl);
    if (others > 0)
      throw new BackupError(
        `${others} other session(s) are connected to the target database (a running Keyward?): stop them first.`,
      );
  }
  const target = await inspectDatabase(options.databaseUrl);
  const olderSchema = target.migrations.every((m) => manifest.migrations.includes(m));
  let wiped = false;
  if (target.nonEmptyTables.length > 0 || !olderSchema) {
    if (!options.force)
      throw new BackupError(
        target.nonEmptyTables.length > 0
          ? `The target database is not empty (rows in ${target.nonEmptyTables.join(", ")}). Restore into an empty database, or add --force to wipe this one (everything in its schema is dropped) and replace it with the backup.`
          : "The target database has migrations the backup does not have. Restore into an empty database, or add --force to wipe this one and replace it with the backup.",
      );
    await wipeSchema(options.databaseUrl);
    wiped = true;
  }

  // 4. The backup's schema, its rows, then the rest of this build's migrations.
  const backupMigrationsDir = await fs.mkdtemp(path.join(os.tmpdir(), "keyward-restore-"));
  try {
    await fs.copyFile(
      path.join(MIGRATIONS_DIR, "migration_lock.toml"),
      path.join(backupMigrationsDir, "migration_lock.toml"),
    );
    for (const m of manifest.migrations)
      await fs.cp(path.join(MIGRATIONS_DIR, m), path.join(backupMigrationsDir, m), { recursive: true });
    await applyMigrations(options.databaseUrl, { migrationsDir: backupMigrationsDir });
  } finally {
    await fs.rm(backupMigrationsDir, { recursive: true, force: true });
  }
  await loadDatabaseSnapshot(options.databaseUrl, snapshot);
  const migrationsAppliedAfter =
    known.length > manifest.migrations.length ? await applyMigrations(options.databaseUrl) : [];

  if (keyToInstall) await options.masterKey.install(keyToInstall);

  await recordBackupAuditEvent(options.databaseUrl, {
    action: "backup.restored",
    targetId: manifest.createdAt,
    details: {
      file: path.resolve(options.file),
      from: manifest.database,
      keywardVersion: manifest.keywardVersion,
      wiped,
      masterKeyInstalled: keyToInstall !== null,
    },
  });
  return { manifest, wiped, masterKeyInstalled: keyToInstall !== null, migrationsAppliedAfter };
}

/** The manifest for people (`backup verify`). */
export function describeManifest(manifest: BackupManifest): string {
  const lines = [
    `Keyward backup (format ${manifest.formatVersion}) of ${manifest.createdAt}, Keyward ${manifest.keywardVersion}, from the ${manifest.database === "embedded" ? "embedded database" : "PostgreSQL database"}.`,
    `Migrations: ${manifest.migrations.length} (last: ${manifest.migrations.at(-1) ?? "none"}).`,
    `Master key: ${manifest.masterKey ? "included, encrypted with a passphrase" : "not included"} (check value ${manifest.masterKeyCheck}).`,
    "CA certificates:",
    ...manifest.caCertificates.map(
      (c) =>
        `  ${c.role}\t${c.subjectDn}\tserial ${c.serialHex}\tuntil ${c.notAfter}\n\tSHA-256 ${c.sha256Fingerprint}`,
    ),
    `Last CRL numbers: ${manifest.lastCrlNumbers.map((c) => `${manifest.caCertificates.find((a) => a.id === c.caId)?.role ?? c.caId} ${c.number}`).join(", ") || "none"}.`,
    "Rows per table:",
    ...manifest.tables.map((t) => `  ${t.name}\t${t.rows}`),
  ];
  return lines.join("\n");
}

async function exists(file: string): Promise<boolean> {
  return fs.access(file).then(
    () => true,
    () => false,
  );
}
