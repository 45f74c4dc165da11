// lib/ca — certificate authorities an operator manages (issue 12 item 1): create a root or a
// sub-CA under a Keyward root, import an external CA (certificate + PKCS#8 key), renew a CA with
// its own or a new key, and cross-certify a CA's key under another root. Keys are generated or
// imported here, sealed at once with the master key bound to the row id (as the first-start
// hierarchy's, lib/ca/authorities.ts), and never returned. Each change is written with its audit
// record in one transaction; the console, the API and the CLI reach this through lib/console.
import {
  createPrivateKey,
  createPublicKey,
  type KeyObject,
  X509Certificate as NodeX509Certificate,
  randomUUID,
} from "node:crypto";
import { type AuditActor, recordAudit } from "@/lib/audit/record";
import { secretBox } from "@/lib/crypto/master-key";
import type { SecretBox } from "@/lib/crypto/secret-box";
import { BasicConstraintsExtension, Name, X509Certificate } from "@/lib/crypto/x509";
import type { Db, Prisma } from "@/lib/db/client";
import { isForeignKeyViolation, isUniqueViolation } from "@/lib/db/errors";
import { lockForTransaction } from "@/lib/db/locks";
import { conflictProblem, invalidParamsProblem, notFoundProblem } from "@/lib/problem";
import {
  caKeySealContext,
  clearIssuingCaCache,
  defaultIssuingCaId,
  followSuccessors,
  unsealCa,
} from "./authorities";
import {
  backdated,
  type CaSigner,
  selfSignCaCertificate,
  signSubordinateCaCertificate,
} from "./ca-certificates";
import { EXTERNAL_CHAIN_FIELD, verifyExternalChain } from "./external-chains";
import {
  exportPrivateKeyPkcs8,
  generateKeyPair,
  importPrivateKeyPkcs8,
  type KeyAlgorithm,
  parseKeyAlgorithm,
} from "./keys";
import { certificatesFromPem, sha256Hex } from "./pem";
import { clearCaSignerCache } from "./signers";

// Defaults for a CA an operator creates: those of the first-start hierarchy (20 / 10 years,
// lib/ca/ca-certificates.ts ROOT_CA_VALIDITY_YEARS, ISSUING_CA_VALIDITY_YEARS).
export const DEFAULT_ROOT_VALIDITY_DAYS = 20 * 365;
export const DEFAULT_SUB_CA_VALIDITY_DAYS = 10 * 365;
// 50 years: longer than any hierarchy needs, and far inside X.509's GeneralizedTime range.
export const MAX_CA_VALIDITY_DAYS = 50 * 365;

const DAY_MS = 24 * 60 * 60 * 1000;
// Generating an RSA-4096 key happens before the transaction; this bounds the inserts.
const CA_TRANSACTION_TIMEOUT_MS = 30_000;
const AUDIT_TARGET = "CertificateAuthority";

type ChangedBy = { actor: AuditActor; ip?: string };

export interface CreateCaInput {
  /** "root": self-signed. "sub": certified by the root `parentId` names. */
  readonly kind: "root" | "sub";
  readonly parentId?: string;
  /** RFC 4514-style text, e.g. "CN=Example Issuing CA 2, O=Example"; a CN is required. */
  readonly subjectDn: string;
  readonly keyAlgorithm: KeyAlgorithm;
  readonly validityDays: number;
}

export interface ImportCaInput {
  /** PEM, or base64 of the DER. */
  readonly certificate: string;
  /** PKCS#8 ("PRIVATE KEY") PEM, or base64 of the DER. */
  readonly privateKey: string;
  /** For a CA whose issuer is outside Keyward: the PEM chain above it, up to the root. */
  readonly externalChain?: string;
}

export interface CaChangeOptions {
  readonly by: ChangedBy;
  readonly box?: SecretBox;
  readonly now?: Date;
}

/** Creates a root, or a sub-CA under a Keyward root, with a fresh key. Returns the new CA's id. */
export async function createCertificateAuthority(
  db: Db,
  input: CreateCaInput,
  options: CaChangeOptions,
): Promise<string> {
  const box = options.box ?? secretBox();
  const now = options.now ?? new Date();
  const subject = parseSubjectDn(input.subjectDn, "subjectDn");
  assertValidityDays(input.validityDays, "validityDays");
  const parent = input.kind === "sub" ? await loadParentRoot(db, input.parentId, box) : null;

  const keys = await generateKeyPair(input.keyAlgorithm);
  const spec = {
    subject: subject.name,
    publicKey: keys.publicKey,
    notBefore: backdated(now),
    notAfter: new Date(now.getTime() + input.validityDays * DAY_MS),
  };
  const certificate = parent
    ? await signSubordinateCaCertificate(parent.signer, spec)
    : await selfSignCaCertificate(spec, keys.privateKey);
  const id = randomUUID();
  const pkcs8 = await exportPrivateKeyPkcs8(keys.privateKey);
  const row = caRow({
    id,
    name: subject.commonName,
    role: parent ? "issuing" : "root",
    parentId: parent?.id ?? null,
    certificate,
    keyAlgorithm: input.keyAlgorithm,
    privateKeySealed: sealKey(box, id, pkcs8),
    imported: false,
  });
  await insertCa(db, row, { action: "ca.created", by: options.by });
  return id;
}

/**
 * Imports an external CA: its certificate and PKCS#8 private key (PEM or DER). The key must be
 * the certificate's (same public key), the certificate a CA certificate (RFC 5280 §4.2.1.9
 * basicConstraints cA), and the key of an algorithm Keyward signs with. A self-signed certificate
 * becomes a root; any other an issuing CA, under the Keyward CA that signed it if there is one.
 * When no Keyward CA signed it, the external chain above it (its issuer first, up to the external
 * root) may come with it, verified by lib/ca/external-chains.ts; without one, the CA's certificates
 * are served with its own certificate alone until a chain is added (setExternalChain).
 */
export async function importCertificateAuthority(
  db: Db,
  input: ImportCaInput,
  options: CaChangeOptions,
): Promise<string> {
  const box = options.box ?? secretBox();
  const der = decodeCertificateInput(input.certificate);
  let nodeCertificate: NodeX509Certificate;
  let certificate: X509Certificate;
  try {
    nodeCertificate = new NodeX509Certificate(der);
    certificate = new X509Certificate(der);
  } catch {
    throw invalidParamsProblem([{ name: "certificate", reason: "This is not an X.509 certificate" }]);
  }
  const basic = certificate.getExtension(BasicConstraintsExtension);
  if (!basic?.ca) {
    throw invalidParamsProblem([
      { name: "certificate", reason: "This is not a CA certificate (basicConstraints cA is not set)" },
    ]);
  }
  const key = decodePrivateKeyInput(input.privateKey);
  const keyAlgorithm = keyAlgorithmOfKeyObject(key);
  // The key belongs to the certificate when their public keys are the same SubjectPublicKeyInfo.
  const keySpki = createPublicKey(key).export({ format: "der", type: "spki" });
  const certificateSpki = nodeCertificate.publicKey.export({ format: "der", type: "spki" });
  if (!Buffer.from(keySpki).equals(Buffer.from(certificateSpki))) {
    throw invalidParamsProblem([
      { name: "privateKey", reason: "This private key does not belong to the certificate's public key" },
    ]);
  }
  const pkcs8 = new Uint8Array(key.export({ format: "der", type: "pkcs8" }));
  // Proves the key imports for signing before anything is stored.
  await importPrivateKeyPkcs8(pkcs8, keyAlgorithm);

  const selfSigned =
    nodeCertificate.checkIssued(nodeCertificate) && nodeCertificate.verify(nodeCertificate.publicKey);
  const parentId = selfSigned ? null : await findKeywardIssuerOf(db, nodeCertificate);
  const externalChain =
    input.externalChain === undefined || input.externalChain.trim() === ""
      ? []
      : verifyUploadedChain({ selfSigned, parentId, der }, input.externalChain, options.now);
  const sha256 = sha256Hex(der);
  const existing = await db.certificateAuthority.findMany({ select: { certificateDer: true } });
  if (existing.some((row) => sha256Hex(new Uint8Array(row.certificateDer)) === sha256)) {
    throw conflictProblem("This CA certificate is already stored", "certificate");
  }
  const id = randomUUID();
  const row = caRow({
    id,
    name: commonNameOf(certificate) ?? certificate.subject,
    role: selfSigned ? "root" : "issuing",
    parentId,
    certificate,
    keyAlgorithm,
    privateKeySealed: sealKey(box, id, pkcs8),
    imported: true,
    externalChain,
  });
  await insertCa(db, row, { action: "ca.imported", by: options.by });
  return id;
}

/** The external chain is only for a CA that no Keyward CA signed and that is not a root itself. */
function verifyUploadedChain(
  ca: { selfSigned: boolean; parentId: string | null; der: Uint8Array },
  bundle: string,
  now?: Date,
): Uint8Array<ArrayBuffer>[] {
  if (ca.selfSigned) {
    throw invalidParamsProblem([
      { name: EXTERNAL_CHAIN_FIELD, reason: "A self-signed root has no chain above it: leave this empty" },
    ]);
  }
  if (ca.parentId !== null) {
    throw invalidParamsProblem([
      {
        name: EXTERNAL_CHAIN_FIELD,
        reason: "A Keyward CA signed this CA: its chain is Keyward's, leave this empty",
      },
    ]);
  }
  return verifyExternalChain(ca.der, bundle, now);
}

/**
 * Adds or replaces the external chain of an imported CA whose issuer is outside Keyward (the
 * issuer renewed its intermediate, or the chain was not at hand at import). Verified as at
 * import; the certificates it issued are served with the new chain from the next download.
 */
export async function setExternalChain(
  db: Db,
  input: { id: string; externalChain: string },
  options: CaChangeOptions,
): Promise<void> {
  const row = await db.certificateAuthority.findUnique({ where: { id: input.id } });
  if (!row) throw notFoundProblem(`Certificate authority "${input.id}"`);
  const der = new Uint8Array(row.certificateDer);
  const node = new NodeX509Certificate(Buffer.from(der));
  const selfSigned = node.checkIssued(node) && node.verify(node.publicKey);
  const chain = verifyUploadedChain(
    { selfSigned, parentId: row.parentId, der },
    input.externalChain,
    options.now,
  );
  const describe = (ders: readonly Uint8Array[]) =>
    ders.map((d) => ({
      subjectDn: new X509Certificate(new Uint8Array(d)).subject,
      sha256Fingerprint: sha256Hex(d),
    }));
  await db.$transaction(async (tx) => {
    const { count } = await tx.certificateAuthority.updateMany({
      where: { id: row.id, parentId: null },
      data: { externalChainDer: chain },
    });
    if (count !== 1) throw conflictProblem(`"${row.name}" changed meanwhile; reload and try again`, "id");
    await recordAudit(tx, {
      actor: options.by.actor,
      action: "ca.externalChainSet",
      targetType: AUDIT_TARGET,
      targetId: row.id,
      details: { name: row.name, before: describe(row.externalChainDer), after: describe(chain) },
      ip: options.by.ip,
    });
  });
}

/**
 * Renews a CA: a new certificate for the same subject. With the same key the CA keeps its id and
 * every certificate it issued keeps chaining (same name and key identifier); the row's
 * certificate is replaced. With a new key a successor CA is stored (same subject, the next
 * "(key n)" name) and issues in its place from then on — end entity profiles that chose the CA follow it —
 * while the old CA keeps signing the CRL of what it issued. A root is self-signed again; a sub-CA
 * is signed by its parent root's current CA. A CA signed outside Keyward cannot be renewed here.
 */
export async function renewCertificateAuthority(
  db: Db,
  input: { id: string; newKey: boolean; validityDays?: number },
  options: CaChangeOptions,
): Promise<string> {
  const box = options.box ?? secretBox();
  const now = options.now ?? new Date();
  const row = await db.certificateAuthority.findUnique({ where: { id: input.id } });
  if (!row) throw notFoundProblem(`Certificate authority "${input.id}"`);
  if (row.successorId) {
    throw conflictProblem(
      `"${row.name}" was renewed with a new key already; renew the CA that replaced it`,
      "id",
    );
  }
  const ca = await unsealCa(row, box);
  const parentRow =
    row.role === "root"
      ? null
      : row.parentId
        ? await db.certificateAuthority.findUnique({ where: { id: row.parentId } })
        : null;
  if (row.role !== "root" && !parentRow) {
    throw conflictProblem(
      `"${row.name}" was signed by a CA outside Keyward: import its renewed certificate instead`,
      "id",
    );
  }
  const parent = parentRow ? await unsealCa(await followSuccessors(db, parentRow), box) : null;
  const lifetimeMs = ca.notAfter.getTime() - ca.notBefore.getTime();
  const validityDays = input.validityDays ?? Math.max(1, Math.round(lifetimeMs / DAY_MS));
  assertValidityDays(validityDays, "validityDays");
  const subject = ca.certificate.subjectName;

  const keys = input.newKey
    ? await generateKeyPair(ca.keyAlgorithm)
    : { publicKey: await ca.certificate.publicKey.export(), privateKey: ca.signer.privateKey };
  const spec = {
    subject,
    publicKey: keys.publicKey,
    notBefore: backdated(now),
    notAfter: new Date(now.getTime() + validityDays * DAY_MS),
  };
  const certificate = parent
    ? await signSubordinateCaCertificate(parent.signer, spec)
    : await selfSignCaCertificate(spec, keys.privateKey);

  const details = (after: { id: string; certificate: X509Certificate }) => ({
    name: row.name,
    newKey: input.newKey,
    before: { serialHex: row.serialHex, notAfter: row.notAfter.toISOString() },
    after: {
      id: after.id,
      serialHex: after.certificate.serialNumber.toLowerCase(),
      notAfter: after.certificate.notAfter.toISOString(),
      sha256Fingerprint: sha256Hex(new Uint8Array(after.certificate.rawData)),
    },
  });

  if (!input.newKey) {
    await db.$transaction(async (tx) => {
      // Only the CA as it was read may be renewed: a concurrent renewal makes this one fail.
      const { count } = await tx.certificateAuthority.updateMany({
        where: { id: row.id, serialHex: row.serialHex, successorId: null },
        data: {
          certificateDer: new Uint8Array(certificate.rawData),
          serialHex: certificate.serialNumber.toLowerCase(),
          notBefore: certificate.notBefore,
          notAfter: certificate.notAfter,
          parentId: parent?.id ?? row.parentId,
        },
      });
      if (count !== 1) throw conflictProblem(`"${row.name}" changed meanwhile; reload and try again`, "id");
      await recordAudit(tx, {
        actor: options.by.actor,
        action: "ca.renewed",
        targetType: AUDIT_TARGET,
        targetId: row.id,
        details: details({ id: row.id, certificate }),
        ip: options.by.ip,
      });
    });
    forgetCachedCas(db);
    return row.id;
  }

  const id = randomUUID();
  const pkcs8 = await exportPrivateKeyPkcs8(keys.privateKey);
  const successor = caRow({
    id,
    name: await successorName(db, row.name),
    role: row.role,
    parentId: parent?.id ?? null,
    certificate,
    keyAlgorithm: ca.keyAlgorithm,
    privateKeySealed: sealKey(box, id, pkcs8),
    imported: false,
  });
  await db.$transaction(
    async (tx) => {
      await tx.certificateAuthority.create({ data: successor });
      const { count } = await tx.certificateAuthority.updateMany({
        where: { id: row.id, successorId: null },
        data: { successorId: id },
      });
      if (count !== 1)
        throw conflictProblem(`"${row.name}" was renewed meanwhile; reload and try again`, "id");
      await recordAudit(tx, {
        actor: options.by.actor,
        action: "ca.renewed",
        targetType: AUDIT_TARGET,
        targetId: row.id,
        details: details({ id, certificate }),
        ip: options.by.ip,
      });
    },
    { timeout: CA_TRANSACTION_TIMEOUT_MS },
  );
  forgetCachedCas(db);
  return id;
}

/**
 * A cross-certificate (RFC 5280 §3.2): the CA's subject and public key certified by another
 * Keyward root, so certificates the CA issues have a second chain, to that root (served as an
 * RFC 8555 §7.4.2 alternate, lib/ca/chains.ts). Returns the cross-certificate's id.
 */
export async function crossCertifyCertificateAuthority(
  db: Db,
  input: { id: string; issuerId: string; validityDays?: number },
  options: CaChangeOptions,
): Promise<string> {
  const box = options.box ?? secretBox();
  const now = options.now ?? new Date();
  const row = await db.certificateAuthority.findUnique({ where: { id: input.id } });
  if (!row) throw notFoundProblem(`Certificate authority "${input.id}"`);
  if (row.role !== "issuing") {
    throw invalidParamsProblem([{ name: "id", reason: "Only an issuing CA can be cross-certified" }]);
  }
  const issuerRow = await db.certificateAuthority.findUnique({ where: { id: input.issuerId } });
  if (issuerRow?.role !== "root") {
    throw invalidParamsProblem([{ name: "issuerId", reason: "Choose a root CA of this Keyward" }]);
  }
  if (issuerRow.id === row.parentId) {
    throw invalidParamsProblem([
      { name: "issuerId", reason: `"${issuerRow.name}" already signs this CA's own certificate` },
    ]);
  }
  const issuer = await unsealCa(await followSuccessors(db, issuerRow), box);
  const certificate = new X509Certificate(new Uint8Array(row.certificateDer));
  const validityDays =
    input.validityDays ?? Math.max(1, Math.round((row.notAfter.getTime() - now.getTime()) / DAY_MS));
  assertValidityDays(validityDays, "validityDays");
  const notAfter = new Date(Math.min(now.getTime() + validityDays * DAY_MS, row.notAfter.getTime()));
  const cross = await signSubordinateCaCertificate(issuer.signer, {
    subject: certificate.subjectName,
    publicKey: await certificate.publicKey.export(),
    notBefore: backdated(now),
    notAfter,
  });
  const id = randomUUID();
  await db.$transaction(async (tx) => {
    await tx.caCrossCertificate.create({
      data: {
        id,
        caId: row.id,
        issuerId: issuer.id,
        certificateDer: new Uint8Array(cross.rawData),
        serialHex: cross.serialNumber.toLowerCase(),
        notBefore: cross.notBefore,
        notAfter: cross.notAfter,
      },
    });
    await recordAudit(tx, {
      actor: options.by.actor,
      action: "ca.crossCertified",
      targetType: AUDIT_TARGET,
      targetId: row.id,
      details: {
        name: row.name,
        crossCertificateId: id,
        issuer: issuer.name,
        serialHex: cross.serialNumber.toLowerCase(),
        notAfter: cross.notAfter.toISOString(),
        sha256Fingerprint: sha256Hex(new Uint8Array(cross.rawData)),
      },
      ip: options.by.ip,
    });
  });
  return id;
}

/** What refers to a CA, each as a sentence part ("end entity profile \"TLS\" names it as its default CA"). */
export type CaReferenceCheck = (
  tx: Prisma.TransactionClient,
  ca: { id: string; name: string; subjectDn: string },
) => Promise<string[]>;

/**
 * Deletes a CA that has issued nothing and that nothing refers to, with its sealed key (a column
 * of its row) and its cross-certificates; anything else is refused with a problem naming every
 * reference, in the way profile deletes are (lib/ra/profiles.ts). A CA that issued certificates
 * stays: relying parties still fetch its CRL (RFC 5280 §5: a CRL is published until the
 * certificates it covers expire), so the operator revokes them or lets them expire instead.
 * `moreReferences` adds what lib/ra knows refers to a CA (aliases, access rules), checked in the
 * same transaction under the CA-management lock.
 */
export async function deleteCertificateAuthority(
  db: Db,
  input: { id: string },
  options: CaChangeOptions & { moreReferences?: CaReferenceCheck },
): Promise<void> {
  let name = input.id;
  try {
    await db.$transaction(
      async (tx) => {
        await lockForTransaction(tx, "keyward:ca-management");
        const row = await tx.certificateAuthority.findUnique({ where: { id: input.id } });
        if (!row) throw notFoundProblem(`Certificate authority "${input.id}"`);
        name = row.name;
        const ca = {
          id: row.id,
          name: row.name,
          subjectDn: new X509Certificate(new Uint8Array(row.certificateDer)).subject,
        };
        const issued = await tx.certificate.count({ where: { issuerId: row.id } });
        if (issued > 0) {
          throw conflictProblem(
            `"${row.name}" has issued ${issued} certificate${issued === 1 ? "" : "s"} and keeps publishing its CRL for them, so it cannot be deleted: revoke them or let them expire, and stop it issuing by choosing another CA in the end entity profiles`,
            "id",
          );
        }
        const references = [
          ...(await caReferences(tx, row)),
          ...((await options.moreReferences?.(tx, ca)) ?? []),
        ];
        if (references.length > 0) {
          throw conflictProblem(`"${row.name}" is still referred to: ${references.join("; ")}`, "id");
        }
        const crosses = await tx.caCrossCertificate.findMany({
          where: { caId: row.id },
          select: { id: true, serialHex: true, issuer: { select: { name: true } } },
        });
        await tx.caCrossCertificate.deleteMany({ where: { caId: row.id } });
        // Its CRLs (empty: it issued nothing) go with it (Crl.caId cascades).
        await tx.certificateAuthority.delete({ where: { id: row.id } });
        await recordAudit(tx, {
          actor: options.by.actor,
          action: "ca.deleted",
          targetType: AUDIT_TARGET,
          targetId: row.id,
          details: {
            name: row.name,
            role: row.role,
            subjectDn: ca.subjectDn,
            serialHex: row.serialHex,
            sha256Fingerprint: sha256Hex(new Uint8Array(row.certificateDer)),
            crossCertificates: crosses.map((c) => ({
              id: c.id,
              serialHex: c.serialHex,
              issuer: c.issuer.name,
            })),
            privateKey: "deleted",
          },
          ip: options.by.ip,
        });
      },
      { timeout: CA_TRANSACTION_TIMEOUT_MS },
    );
  } catch (error) {
    // A certificate or profile written meanwhile, past the checks: the foreign key keeps the CA.
    if (isForeignKeyViolation(error)) {
      throw conflictProblem(`"${name}" came into use meanwhile; reload and try again`, "id");
    }
    throw error;
  }
  forgetCachedCas(db);
}

/** What refers to a CA among CAs and profiles: each a readable sentence part. */
async function caReferences(
  tx: Prisma.TransactionClient,
  row: { id: string; name: string; successorId: string | null },
): Promise<string[]> {
  const quoted = (names: readonly string[]) => names.map((n) => `"${n}"`).join(", ");
  const plural = (n: number, one: string, many: string) => (n === 1 ? one : many);
  const references: string[] = [];
  const hierarchy = await tx.certificateAuthority.findMany({
    select: { id: true, name: true, parentId: true, successorId: true },
  });
  // The default issuing CA is derived from the stored hierarchy (lib/ca/authorities.ts).
  if ((await defaultIssuingCaId(tx)) === row.id) {
    references.push("it is the default issuing CA (aliases without an end entity profile issue from it)");
  }
  const children = hierarchy.filter((ca) => ca.parentId === row.id).map((ca) => ca.name);
  if (children.length > 0) {
    references.push(`it signed CA${plural(children.length, "", "s")} ${quoted(children)}`);
  }
  const crossed = await tx.caCrossCertificate.findMany({
    where: { issuerId: row.id },
    select: { ca: { select: { name: true } } },
  });
  if (crossed.length > 0) {
    const names = [...new Set(crossed.map((c) => c.ca.name))];
    references.push(`it cross-certified ${quoted(names)}`);
  }
  const predecessor = hierarchy.find((ca) => ca.successorId === row.id);
  if (predecessor) {
    references.push(`it issues in place of "${predecessor.name}" (renewed with a new key)`);
  }
  const successor = row.successorId ? hierarchy.find((ca) => ca.id === row.successorId) : undefined;
  if (successor) {
    references.push(`it was renewed with a new key into "${successor.name}", which follows from it`);
  }
  const defaultOf = await tx.endEntityProfile.findMany({
    where: { defaultCaId: row.id },
    select: { name: true },
    orderBy: { name: "asc" },
  });
  if (defaultOf.length > 0) {
    references.push(
      `end entity profile${plural(defaultOf.length, "", "s")} ${quoted(defaultOf.map((p) => p.name))} name${plural(defaultOf.length, "s", "")} it as default CA`,
    );
  }
  const availableIn = await tx.certificateProfile.findMany({
    where: { availableCaIds: { has: row.id } },
    select: { name: true },
    orderBy: { name: "asc" },
  });
  if (availableIn.length > 0) {
    references.push(
      `certificate profile${plural(availableIn.length, "", "s")} ${quoted(availableIn.map((p) => p.name))} offer${plural(availableIn.length, "s", "")} it as an available CA`,
    );
  }
  return references;
}

// --- input -------------------------------------------------------------------------------------

interface ParsedSubject {
  readonly name: InstanceType<typeof Name>;
  readonly commonName: string;
}

// RFC 5280 Appendix A: ub-common-name.
const MAX_COMMON_NAME = 64;

function parseSubjectDn(text: string, field: string): ParsedSubject {
  let name: InstanceType<typeof Name>;
  try {
    name = new Name(text.trim());
  } catch {
    throw invalidParamsProblem([
      { name: field, reason: 'Write the subject as attributes, e.g. "CN=Example Root CA, O=Example"' },
    ]);
  }
  const commonName = name.getField("CN")[0];
  if (!commonName)
    throw invalidParamsProblem([{ name: field, reason: "The subject needs a CN (common name)" }]);
  if (Array.from(commonName).length > MAX_COMMON_NAME) {
    throw invalidParamsProblem([
      { name: field, reason: `The CN may have at most ${MAX_COMMON_NAME} characters` },
    ]);
  }
  return { name, commonName };
}

function assertValidityDays(days: number, field: string): void {
  if (!Number.isInteger(days) || days < 1 || days > MAX_CA_VALIDITY_DAYS) {
    throw invalidParamsProblem([
      { name: field, reason: `A whole number of days from 1 to ${MAX_CA_VALIDITY_DAYS}` },
    ]);
  }
}

/** The DER of a certificate given as PEM (one certificate) or as base64 DER. */
function decodeCertificateInput(text: string): Uint8Array<ArrayBuffer> {
  if (text.includes("-----BEGIN")) {
    const ders = certificatesFromPem(text);
    if (ders?.length !== 1) {
      throw invalidParamsProblem([
        { name: "certificate", reason: "Give exactly one PEM certificate (-----BEGIN CERTIFICATE-----)" },
      ]);
    }
    return ders[0] as Uint8Array<ArrayBuffer>;
  }
  const b64 = text.replace(/\s+/g, "");
  if (b64 === "" || !/^[A-Za-z0-9+/]+={0,2}$/.test(b64)) {
    throw invalidParamsProblem([
      { name: "certificate", reason: "Give the certificate as PEM or as base64 of its DER" },
    ]);
  }
  return new Uint8Array(Buffer.from(b64, "base64"));
}

function decodePrivateKeyInput(text: string): KeyObject {
  if (text.includes("ENCRYPTED PRIVATE KEY")) {
    throw invalidParamsProblem([
      {
        name: "privateKey",
        reason: "Decrypt the key first: give an unencrypted PKCS#8 key (it is sealed at once)",
      },
    ]);
  }
  try {
    if (text.includes("-----BEGIN")) {
      if (!text.includes("-----BEGIN PRIVATE KEY-----")) throw new Error("not PKCS#8");
      return createPrivateKey({ key: text, format: "pem" });
    }
    const der = Buffer.from(text.replace(/\s+/g, ""), "base64");
    return createPrivateKey({ key: der, format: "der", type: "pkcs8" });
  } catch {
    throw invalidParamsProblem([
      {
        name: "privateKey",
        reason: 'Give a PKCS#8 private key: PEM ("-----BEGIN PRIVATE KEY-----") or base64 of its DER',
      },
    ]);
  }
}

function keyAlgorithmOfKeyObject(key: KeyObject): KeyAlgorithm {
  const details = key.asymmetricKeyDetails ?? {};
  const name =
    key.asymmetricKeyType === "ec"
      ? details.namedCurve === "prime256v1"
        ? "ECDSA-P256"
        : details.namedCurve === "secp384r1"
          ? "ECDSA-P384"
          : null
      : key.asymmetricKeyType === "rsa"
        ? `RSA-${details.modulusLength}`
        : null;
  try {
    if (name) return parseKeyAlgorithm(name);
  } catch {
    // falls through to the refusal below
  }
  throw invalidParamsProblem([
    {
      name: "privateKey",
      reason:
        "Keyward signs with ECDSA P-256 or P-384 and RSA 2048, 3072 or 4096 keys; this key is none of them",
    },
  ]);
}

// --- storage -----------------------------------------------------------------------------------

function sealKey(box: SecretBox, id: string, pkcs8: Uint8Array): Uint8Array<ArrayBuffer> {
  try {
    return box.seal(pkcs8, caKeySealContext(id));
  } finally {
    pkcs8.fill(0); // the plaintext lives no longer than the sealing
  }
}

function commonNameOf(certificate: X509Certificate): string | null {
  return certificate.subjectName.getField("CN")[0] ?? null;
}

function caRow(o: {
  id: string;
  name: string;
  role: "root" | "issuing";
  parentId: string | null;
  certificate: X509Certificate;
  keyAlgorithm: KeyAlgorithm;
  privateKeySealed: Uint8Array<ArrayBuffer>;
  imported: boolean;
  externalChain?: Uint8Array<ArrayBuffer>[];
}) {
  return {
    id: o.id,
    name: o.name,
    role: o.role,
    parentId: o.parentId,
    subjectDn: o.certificate.subject,
    keyAlgorithm: o.keyAlgorithm,
    certificateDer: new Uint8Array(o.certificate.rawData),
    privateKeySealed: o.privateKeySealed,
    serialHex: o.certificate.serialNumber.toLowerCase(),
    notBefore: o.certificate.notBefore,
    notAfter: o.certificate.notAfter,
    imported: o.imported,
    externalChainDer: o.externalChain ?? [],
  };
}

async function insertCa(
  db: Db,
  row: ReturnType<typeof caRow>,
  o: { action: string; by: ChangedBy },
): Promise<void> {
  try {
    await db.$transaction(
      async (tx) => {
        await lockForTransaction(tx, "keyward:ca-management");
        await tx.certificateAuthority.create({ data: row });
        await recordAudit(tx, {
          actor: o.by.actor,
          action: o.action,
          targetType: AUDIT_TARGET,
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
            ...(row.externalChainDer.length > 0
              ? {
                  externalChain: row.externalChainDer.map((der) => ({
                    subjectDn: new X509Certificate(der).subject,
                    sha256Fingerprint: sha256Hex(der),
                  })),
                }
              : {}),
          },
          ip: o.by.ip,
        });
      },
      { timeout: CA_TRANSACTION_TIMEOUT_MS },
    );
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw conflictProblem(
        `A CA named "${row.name}" exists already: give the new CA another CN`,
        "subjectDn",
      );
    }
    throw error;
  }
}

async function loadParentRoot(
  db: Db,
  parentId: string | undefined,
  box: SecretBox,
): Promise<{ id: string; signer: CaSigner }> {
  const row = parentId ? await db.certificateAuthority.findUnique({ where: { id: parentId } }) : null;
  if (row?.role !== "root") {
    throw invalidParamsProblem([
      { name: "parentId", reason: "Choose the root CA that signs the new sub-CA" },
    ]);
  }
  const current = await followSuccessors(db, row);
  const loaded = await unsealCa(current, box);
  return { id: loaded.id, signer: loaded.signer };
}

/** The Keyward CA whose name and key signed `certificate`, or null when it came from elsewhere. */
async function findKeywardIssuerOf(db: Db, certificate: NodeX509Certificate): Promise<string | null> {
  const candidates = await db.certificateAuthority.findMany({
    where: { role: "root" },
    select: { id: true, certificateDer: true },
  });
  for (const candidate of candidates) {
    const issuer = new NodeX509Certificate(Buffer.from(candidate.certificateDer));
    if (certificate.checkIssued(issuer) && certificate.verify(issuer.publicKey)) return candidate.id;
  }
  return null;
}

/** "<name> (key 2)", "(key 3)"…: CA names are unique, and a new-key renewal keeps the subject. */
async function successorName(db: Db, name: string): Promise<string> {
  const base = name.replace(/ \(key \d+\)$/, "");
  for (let n = 2; ; n++) {
    const candidate = `${base} (key ${n})`;
    if (!(await db.certificateAuthority.findUnique({ where: { name: candidate }, select: { id: true } }))) {
      return candidate;
    }
  }
}

function forgetCachedCas(db: Db): void {
  clearIssuingCaCache(db);
  clearCaSignerCache(db);
}
