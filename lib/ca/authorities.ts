// lib/ca — Keyward's certificate authorities. Contract: this folder creates, stores and loads CA
// keys and certificates and signs with them; it knows nothing about HTTP or ACME. Private keys
// exist in plaintext only between generation and sealing (AES-256-GCM under the master key, bound
// to the CA's row id) and, once loaded, only as non-extractable CryptoKeys inside a CaSigner. No
// function here logs, returns or stores key material in any other form.
//
// This file: the stored hierarchy (one self-signed root, one issuing CA beneath it), created at
// first start, loaded afterwards, and its public certificates for files and web routes. CAs an
// operator adds later are made in management.ts; chains.ts says which CA an alias issues from.
import { randomUUID } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import { type AuditRecord, recordAudit } from "@/lib/audit/record";
import { secretBox } from "@/lib/crypto/master-key";
import type { SecretBox } from "@/lib/crypto/secret-box";
import { X509Certificate } from "@/lib/crypto/x509";
import type { Db } from "@/lib/db/client";
import { isUniqueViolation } from "@/lib/db/errors";
import type { CertificateAuthority as CertificateAuthorityRow } from "@/lib/db/generated/client";
import { lockForTransaction } from "@/lib/db/locks";
import {
  type CaSigner,
  type CreatedCaCertificate,
  createIssuingCertificate,
  createRootCertificate,
  encodeCertificatePem,
} from "./ca-certificates";
import { ensureTrailingNewline, writeFileAtomically } from "./files";
import {
  exportPrivateKeyPkcs8,
  generateKeyPair,
  importPrivateKeyPkcs8,
  type KeyAlgorithm,
  parseKeyAlgorithm,
} from "./keys";
import { sha256Hex } from "./pem";
import { trustAsClientAnchors } from "./trust-anchors";

export type CaRole = "root" | "issuing";

/** A CA as loaded from storage: public facts, its certificate in every form, and its signer. */
export interface LoadedCertificateAuthority {
  readonly id: string;
  readonly name: string;
  readonly role: CaRole;
  readonly parentId: string | null;
  readonly subjectDn: string;
  readonly keyAlgorithm: KeyAlgorithm;
  readonly serialHex: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly certificate: X509Certificate;
  readonly der: Uint8Array;
  /** Ends in a newline, so PEMs concatenate into a chain. */
  readonly pem: string;
  readonly signer: CaSigner;
}

/** The CA that signs subscriber certificates, with its path to the root. */
export interface IssuingCa extends LoadedCertificateAuthority {
  /** [issuing CA, root]: the order of a PEM certificate chain (RFC 8555 §9.1), leaf excluded. */
  readonly chain: readonly X509Certificate[];
  readonly chainPem: string;
  readonly root: LoadedCertificateAuthority;
}

export interface CertificateAuthorityHierarchy {
  readonly root: LoadedCertificateAuthority;
  readonly issuing: IssuingCa;
}

export interface BootstrapOptions {
  readonly box: SecretBox;
  /** Used only when the hierarchy is created; later starts load whatever exists. */
  readonly algorithm: KeyAlgorithm;
  /** KEYWARD_CA_NAME; likewise used only at creation. */
  readonly name: string;
  readonly now?: Date;
}

export interface BootstrapResult extends CertificateAuthorityHierarchy {
  /** True only in the process that created the hierarchy. */
  readonly created: boolean;
}

/** Public material only: what a web route serves and the files under <dataDir>/ca hold. */
export interface PublicCaCertificate {
  readonly id: string;
  readonly name: string;
  readonly role: CaRole;
  readonly subjectDn: string;
  readonly serialHex: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** Lowercase hex SHA-256 of the DER, the fingerprint operators compare when installing a root. */
  readonly sha256Fingerprint: string;
  /** Ends in a newline, so PEMs concatenate into a chain. */
  readonly pem: string;
  readonly der: Uint8Array;
}

export interface PublicCaFiles {
  readonly rootPem: string;
  readonly rootDer: string;
  readonly issuingPem: string;
  readonly issuingDer: string;
  readonly chainPem: string;
}

// The sealed key is bound to its row: a root's ciphertext copied into the issuing CA's row (or
// into any other sealed column) fails authentication instead of signing with the wrong key.
export function caKeySealContext(caId: string): string {
  return `ca-key:${caId}`;
}

// Key generation (RSA-4096 can take seconds) happens before the transaction, so the transaction
// itself is a handful of inserts; the margin is for a loser waiting on the winner's lock.
const BOOTSTRAP_TRANSACTION_TIMEOUT_MS = 30_000;

const CA_CERTIFICATE_AUDIT_TARGET = "CertificateAuthority";

/**
 * Creates the root and issuing CA at first start, or loads them on every later start.
 *
 * Keys and certificates are generated outside the transaction; the transaction takes an advisory
 * lock, re-checks that no root exists, inserts both CAs with sealed keys and writes one
 * "ca.created" audit event per CA. A process that loses the race discards its keys and loads
 * the winner's hierarchy, so every instance ends with the same CAs.
 */
export async function bootstrapCertificateAuthorities(
  db: Db,
  options: BootstrapOptions,
): Promise<BootstrapResult> {
  const existing = await findHierarchyRows(db);
  if (existing) {
    const hierarchy = await unsealHierarchy(existing, options.box);
    issuingCaCache.set(db, Promise.resolve(hierarchy.issuing));
    return { ...hierarchy, created: false };
  }

  const now = options.now ?? new Date();
  const rootId = randomUUID();
  const issuingId = randomUUID();
  const rootKeys = await generateKeyPair(options.algorithm);
  const issuingKeys = await generateKeyPair(options.algorithm);
  const root = await createRootCertificate({ caName: options.name, keys: rootKeys, now });
  const rootSigner: CaSigner = {
    certificate: root.certificate,
    keyAlgorithm: options.algorithm,
    privateKey: rootKeys.privateKey,
  };
  const issuing = await createIssuingCertificate({
    caName: options.name,
    issuingPublicKey: issuingKeys.publicKey,
    root: rootSigner,
    now,
  });

  const rootRow = await buildCaRow({
    id: rootId,
    role: "root",
    parentId: null,
    created: root,
    algorithm: options.algorithm,
    privateKey: rootKeys.privateKey,
    box: options.box,
  });
  const issuingRow = await buildCaRow({
    id: issuingId,
    role: "issuing",
    parentId: rootId,
    created: issuing,
    algorithm: options.algorithm,
    privateKey: issuingKeys.privateKey,
    box: options.box,
  });

  let created: boolean;
  try {
    created = await db.$transaction(
      async (tx) => {
        // Serialises first-start creation across instances sharing the database (DESIGN "Scale"):
        // the loser waits here, then sees the winner's root below. Released at commit/rollback.
        // The unique CertificateAuthority.name is the second line of defence (P2002 below).
        await lockForTransaction(tx, "keyward:ca-bootstrap");
        const rootAlreadyThere = await tx.certificateAuthority.findFirst({
          where: { role: "root" },
          select: { id: true },
        });
        if (rootAlreadyThere) return false;
        await tx.certificateAuthority.create({ data: rootRow });
        await tx.certificateAuthority.create({ data: issuingRow });
        // Keyward's own CAs are trust anchors for ACME client certificates by default (issue 11).
        await trustAsClientAnchors(tx, [rootRow, issuingRow]);
        await recordAudit(tx, caCreatedAuditRecord(rootRow));
        await recordAudit(tx, caCreatedAuditRecord(issuingRow));
        return true;
      },
      { timeout: BOOTSTRAP_TRANSACTION_TIMEOUT_MS, maxWait: BOOTSTRAP_TRANSACTION_TIMEOUT_MS },
    );
  } catch (error) {
    // P2002: a unique name taken by a concurrent bootstrap that the lock did not serialise; the
    // winner's rows are committed, so re-reading below finds them.
    if (!isUniqueViolation(error)) throw error;
    created = false;
  }

  const rows = await findHierarchyRows(db);
  if (!rows) throw new Error("certificate authorities missing right after bootstrap");
  const hierarchy = await unsealHierarchy(rows, options.box);
  issuingCaCache.set(db, Promise.resolve(hierarchy.issuing));
  return { ...hierarchy, created };
}

/** Loads the stored root and issuing CA, unsealing both keys. Throws if bootstrap has not run. */
export async function loadCertificateAuthorities(
  db: Db,
  options: { box?: SecretBox } = {},
): Promise<CertificateAuthorityHierarchy> {
  const rows = await findHierarchyRows(db);
  if (!rows)
    throw new Error("no certificate authority is stored yet; bootstrapCertificateAuthorities must run first");
  return unsealHierarchy(rows, options.box ?? secretBox());
}

const issuingCaCache = new WeakMap<Db, Promise<IssuingCa>>();

/**
 * The issuing CA for certificate issuance, loaded once per process and database client (unsealing
 * and importing a key per certificate would cost more than signing it).
 */
export function loadIssuingCa(db: Db, options: { box?: SecretBox } = {}): Promise<IssuingCa> {
  const cached = issuingCaCache.get(db);
  if (cached) return cached;
  const loading = loadCertificateAuthorities(db, options).then((hierarchy) => hierarchy.issuing);
  issuingCaCache.set(db, loading);
  // A failed load (database not ready yet) must not stick: the next call tries again.
  loading.catch(() => {
    if (issuingCaCache.get(db) === loading) issuingCaCache.delete(db);
  });
  return loading;
}

/** Forgets the cached issuing CA (tests; after a renewal, lib/ca/management.ts). */
export function clearIssuingCaCache(db: Db): void {
  issuingCaCache.delete(db);
}

/**
 * Writes the public certificates for operators and relying parties to <dataDir>/ca: root.pem,
 * root.der, issuing.pem, issuing.der and chain.pem (issuing then root). Each file is replaced
 * atomically (write + rename), so a reader never sees half a certificate.
 */
export async function writePublicCaFiles(
  dataDir: string,
  cas: {
    readonly root: { readonly pem: string; readonly der: Uint8Array };
    readonly issuing: { readonly pem: string; readonly der: Uint8Array };
  },
): Promise<PublicCaFiles> {
  const directory = path.join(dataDir, "ca");
  await fs.mkdir(directory, { recursive: true, mode: 0o755 });
  const files: PublicCaFiles = {
    rootPem: path.join(directory, "root.pem"),
    rootDer: path.join(directory, "root.der"),
    issuingPem: path.join(directory, "issuing.pem"),
    issuingDer: path.join(directory, "issuing.der"),
    chainPem: path.join(directory, "chain.pem"),
  };
  await writeFileAtomically(files.rootPem, ensureTrailingNewline(cas.root.pem), 0o644);
  await writeFileAtomically(files.rootDer, cas.root.der, 0o644);
  await writeFileAtomically(files.issuingPem, ensureTrailingNewline(cas.issuing.pem), 0o644);
  await writeFileAtomically(files.issuingDer, cas.issuing.der, 0o644);
  await writeFileAtomically(
    files.chainPem,
    ensureTrailingNewline(cas.issuing.pem) + ensureTrailingNewline(cas.root.pem),
    0o644,
  );
  return files;
}

/**
 * The stored CA certificates (roots first, then issuing CAs), public fields only. The sealed key
 * column is never selected, so this is safe to call from any route.
 */
export async function getPublicCaCertificates(db: Db): Promise<PublicCaCertificate[]> {
  const rows = await db.certificateAuthority.findMany({
    select: {
      id: true,
      name: true,
      role: true,
      subjectDn: true,
      serialHex: true,
      notBefore: true,
      notAfter: true,
      certificateDer: true,
      createdAt: true,
    },
    orderBy: [{ role: "asc" }, { createdAt: "asc" }],
  });
  return rows.map((row) => {
    const der = new Uint8Array(row.certificateDer);
    return {
      id: row.id,
      name: row.name,
      role: row.role,
      subjectDn: row.subjectDn,
      serialHex: row.serialHex,
      notBefore: row.notBefore,
      notAfter: row.notAfter,
      sha256Fingerprint: sha256Hex(der),
      pem: encodeCertificatePem(new X509Certificate(der)),
      der,
    };
  });
}

// --- storage ------------------------------------------------------------------------------------

interface HierarchyRows {
  readonly root: CertificateAuthorityRow;
  readonly issuing: CertificateAuthorityRow;
}

// The default hierarchy: the issuing CA made at first start (the oldest issuing CA under the
// oldest root) or, once it was renewed with a new key, its newest successor, with the root above
// that. Sub-CAs an operator creates later (lib/ca/management.ts) never become the default by
// being newer: an alias's end entity profile chooses them explicitly (its default CA).
/** Enough of a client (or a transaction) to read CA rows. */
type CaRows = Pick<Db, "certificateAuthority">;

async function findHierarchyRows(db: CaRows): Promise<HierarchyRows | null> {
  const firstRoot = await db.certificateAuthority.findFirst({
    where: { role: "root" },
    orderBy: { createdAt: "asc" },
  });
  if (!firstRoot) return null;
  const first = await db.certificateAuthority.findFirst({
    where: { role: "issuing", parentId: firstRoot.id },
    orderBy: { createdAt: "asc" },
  });
  if (!first)
    throw new Error(`root CA "${firstRoot.name}" has no issuing CA; the stored hierarchy is incomplete`);
  const issuing = await followSuccessors(db, first);
  const root =
    issuing.parentId && issuing.parentId !== firstRoot.id
      ? ((await db.certificateAuthority.findUnique({ where: { id: issuing.parentId } })) ?? firstRoot)
      : firstRoot;
  return { root, issuing };
}

// A renewal chain is short (one row per new-key renewal); the bound stops a damaged cycle.
const MAX_SUCCESSORS = 64;

/** The CA that issues in `row`'s place today: itself, or the last of its new-key renewals. */
export async function followSuccessors(
  db: CaRows,
  row: CertificateAuthorityRow,
): Promise<CertificateAuthorityRow> {
  let current = row;
  for (let i = 0; current.successorId && i < MAX_SUCCESSORS; i++) {
    const next = await db.certificateAuthority.findUnique({ where: { id: current.successorId } });
    if (!next) break;
    current = next;
  }
  return current;
}

/** The id of the default issuing CA (the one an alias without an end entity profile CA uses). */
export async function defaultIssuingCaId(db: CaRows): Promise<string | null> {
  const rows = await findHierarchyRows(db);
  return rows?.issuing.id ?? null;
}

async function unsealHierarchy(rows: HierarchyRows, box: SecretBox): Promise<CertificateAuthorityHierarchy> {
  const root = await unsealCa(rows.root, box);
  const issuing = await unsealCa(rows.issuing, box);
  return {
    root,
    issuing: {
      ...issuing,
      chain: [issuing.certificate, root.certificate],
      chainPem: issuing.pem + root.pem,
      root,
    },
  };
}

export async function unsealCa(
  row: CertificateAuthorityRow,
  box: SecretBox,
): Promise<LoadedCertificateAuthority> {
  const keyAlgorithm = parseKeyAlgorithm(row.keyAlgorithm);
  const der = new Uint8Array(row.certificateDer);
  const certificate = new X509Certificate(der);
  const pkcs8 = box.open(row.privateKeySealed, caKeySealContext(row.id));
  let privateKey: CryptoKey;
  try {
    privateKey = await importPrivateKeyPkcs8(pkcs8, keyAlgorithm);
  } finally {
    pkcs8.fill(0); // the plaintext lives no longer than the import
  }
  return {
    id: row.id,
    name: row.name,
    role: row.role,
    parentId: row.parentId,
    subjectDn: row.subjectDn,
    keyAlgorithm,
    serialHex: row.serialHex,
    notBefore: row.notBefore,
    notAfter: row.notAfter,
    certificate,
    der,
    pem: encodeCertificatePem(certificate),
    signer: { certificate, keyAlgorithm, privateKey },
  };
}

export interface CaRowInput {
  readonly id: string;
  readonly role: CaRole;
  readonly parentId: string | null;
  readonly created: CreatedCaCertificate;
  readonly algorithm: KeyAlgorithm;
  readonly privateKey: CryptoKey;
  readonly box: SecretBox;
}

export async function buildCaRow(input: CaRowInput) {
  const { certificate, subject } = input.created;
  const pkcs8 = await exportPrivateKeyPkcs8(input.privateKey);
  let privateKeySealed: Uint8Array<ArrayBuffer>;
  try {
    privateKeySealed = input.box.seal(pkcs8, caKeySealContext(input.id));
  } finally {
    pkcs8.fill(0);
  }
  return {
    id: input.id,
    // The common name is unique per hierarchy ("… Root CA", "… Issuing CA 1") and is what the
    // console shows; it also makes a concurrent duplicate bootstrap fail on the unique index.
    name: certificate.subjectName.getField("CN")[0] ?? subject.text,
    role: input.role,
    parentId: input.parentId,
    subjectDn: subject.text,
    keyAlgorithm: input.algorithm,
    certificateDer: new Uint8Array(certificate.rawData),
    privateKeySealed,
    serialHex: certificate.serialNumber.toLowerCase(),
    notBefore: certificate.notBefore,
    notAfter: certificate.notAfter,
  };
}

function caCreatedAuditRecord(row: Awaited<ReturnType<typeof buildCaRow>>): AuditRecord {
  return {
    actor: "system",
    action: "ca.created",
    targetType: CA_CERTIFICATE_AUDIT_TARGET,
    targetId: row.id,
    details: {
      name: row.name,
      role: row.role,
      parentId: row.parentId,
      subjectDn: row.subjectDn,
      keyAlgorithm: row.keyAlgorithm,
      serialHex: row.serialHex,
      notBefore: row.notBefore.toISOString(),
      notAfter: row.notAfter.toISOString(),
      sha256Fingerprint: sha256Hex(row.certificateDer),
    },
  };
}
