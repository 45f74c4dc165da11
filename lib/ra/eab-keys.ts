// External account binding keys per alias (spec "Managing ACME External Account Bindings (EAB)"):
// every rule about them, and every change, each in one transaction with its audit row. The
// console, its API and the CLI call these through lib/console/eab-keys.ts.
//
//   MAC keys: generated (random, as long as the MAC algorithm's hash: 256 bits for HS256, the
//     spec's "256 bits AES symmetric key"; key identifier base64url(SHA-1(key)) as the spec says),
//     entered (base64url) or uploaded (PEM, DER or raw bytes). Sealed under the master key; the
//     key is returned once, by createEabKey, and never again.
//   signature keys: an uploaded X.509 certificate or public key (PEM or DER), its fingerprint
//     (SHA-256 of the DER, base64url, or the operator's own string) and its signature algorithm
//     (the certificate's, or chosen for a bare key).
//
// Verification at newAccount is lib/ra/eab.ts; binding an account (and using up a one-account
// key) is a conditional update in the account's own transaction (lib/ra/accounts.ts).
import { createHash, createPublicKey, type KeyObject, randomBytes, randomUUID } from "node:crypto";
import { AsnParser, AsnSerializer, OctetString } from "@peculiar/asn1-schema";
import { recordAudit } from "@/lib/audit/record";
import { publicKeyRefusal } from "@/lib/crypto/key-policy";
import { secretBox } from "@/lib/crypto/master-key";
import type { SecretBox } from "@/lib/crypto/secret-box";
import { PemConverter, X509Certificate } from "@/lib/crypto/x509";
import type { Db, Prisma } from "@/lib/db/client";
import { isUniqueViolation } from "@/lib/db/errors";
import { containsText } from "@/lib/db/text-filters";
import { type AcmeProblem, conflictProblem, invalidParamsProblem, notFoundProblem } from "@/lib/problem";
import { type AliasSettings, readAliasSettings } from "./alias-settings";
import type { ChangedBy } from "./aliases";
import type { EabKeyRecord, EabKeySource } from "./eab";
import {
  EAB_SIGNATURE_ALGORITHMS,
  type EabKeySort,
  type EabSignatureAlgorithm,
  KEY_IDENTIFIER_MAX,
  MAC_KEY_MAX_BYTES,
  MAC_KEY_MIN_BYTES,
  type MacAlgorithm,
  PUBLIC_KEY_PEM_MAX,
  SIGNATURE_ALGORITHM_PARAMETERS,
} from "./eab-algorithms";

type Tx = Prisma.TransactionClient;

export type MacKeyInput = {
  type: "mac";
  macAlgorithm: MacAlgorithm;
  /** Default: base64url(SHA-1(key)) (spec "Generate Key"). */
  keyIdentifier?: string;
  /** Entered: base64url. */
  key?: string;
  /** Uploaded file: PEM, DER (one OCTET STRING) or the raw key bytes. */
  keyFile?: Uint8Array;
  bindsMany: boolean;
  expiresAt: Date | null;
  /** Spec "Combine ACME EAB with General Account Binding"; null: none. */
  namespace?: string | null;
};

export type SignatureKeyInput = {
  type: "signature";
  /** PEM text, or the uploaded file (PEM or DER). */
  publicKey: string | Uint8Array;
  /** Default: base64url(SHA-256(DER of the certificate or public key)). */
  fingerprint?: string;
  /** Default for a certificate: its own signature algorithm; required for a bare public key. */
  signatureAlgorithm?: EabSignatureAlgorithm;
  bindsMany: boolean;
  expiresAt: Date | null;
  /** Spec "Combine ACME EAB with General Account Binding"; null: none. */
  namespace?: string | null;
};

export type EabKeyInput = MacKeyInput | SignatureKeyInput;

/** The MAC key as created: shown once to the operator, never stored in the clear. */
export type MacKeySecret = { keyIdentifier: string; macAlgorithm: MacAlgorithm; hmacKey: string };

const b64url = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64url");

/** Sealed-at-rest context: a sealed key opens only as the MAC key of its own row. */
const macKeySealContext = (id: string) => `eab-mac-key:${id}`;

// ---- MAC keys --------------------------------------------------------------------------------

/**
 * Spec "Upload PEM/DER Key": a PEM block's contents, the contents of a DER OCTET STRING that is
 * the whole file, or else the file's bytes themselves ("or a byte sequence").
 */
export function macKeyFromFile(file: Uint8Array): Buffer {
  const text = Buffer.from(file).toString("latin1");
  const pem = /-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\s]*)-----END \1-----/.exec(text);
  if (pem) return Buffer.from((pem[2] as string).replace(/\s+/g, ""), "base64");
  if (file[0] === 0x04) {
    try {
      const octets = AsnParser.parse(file, OctetString);
      // Only when the file is exactly that one OCTET STRING: random bytes that merely start
      // like one stay raw bytes.
      if (Buffer.from(AsnSerializer.serialize(octets)).equals(Buffer.from(file))) {
        return Buffer.from(octets.buffer);
      }
    } catch {
      // not DER: raw bytes
    }
  }
  return Buffer.from(file);
}

/** RFC 7518 §3.2 and the spec's 512-character limit: why `key` cannot serve `alg`, or null. */
export function macKeyLengthProblem(key: Uint8Array, alg: MacAlgorithm): string | null {
  const min = MAC_KEY_MIN_BYTES[alg];
  if (key.length < min) {
    return `${alg} needs a key of at least ${min * 8} bits (RFC 7518 §3.2); this one has ${key.length * 8}`;
  }
  if (key.length > MAC_KEY_MAX_BYTES) {
    return `A key is at most ${MAC_KEY_MAX_BYTES} bytes (512 base64url characters); this one has ${key.length}`;
  }
  return null;
}

/** Spec "Generate Key": the key identifier is the base64url SHA-1 of the key. */
export function defaultKeyIdentifier(key: Uint8Array): string {
  return createHash("sha1").update(key).digest("base64url");
}

function resolveMacKey(input: MacKeyInput): { key: Buffer; field: "key" | "keyFile" | null } {
  if (input.key !== undefined && input.keyFile !== undefined) {
    throw invalidParamsProblem([{ name: "keyFile", reason: "Enter a key or upload one, not both" }]);
  }
  if (input.key !== undefined) return { key: Buffer.from(input.key, "base64url"), field: "key" };
  if (input.keyFile !== undefined) return { key: macKeyFromFile(input.keyFile), field: "keyFile" };
  return { key: randomBytes(MAC_KEY_MIN_BYTES[input.macAlgorithm]), field: null };
}

// ---- signature keys --------------------------------------------------------------------------

export type InspectedPublicKey = {
  kind: "certificate" | "publicKey";
  /** rsa | ec | ed25519, with the size or curve, for people. */
  keyDescription: string;
  /** The stored form: the certificate or SubjectPublicKeyInfo as PEM. */
  pem: string;
  /** SHA-256 of the DER, base64url: the default fingerprint. */
  fingerprint: string;
  /** The certificate's signature algorithm when its own key can make it; null for a bare key. */
  signatureAlgorithm: EabSignatureAlgorithm | null;
  keyType: "rsa" | "ec" | "ed25519";
};

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/;

/** The certificate's signature algorithm (WebCrypto names, as @peculiar/x509 reads it) in the spec's names. */
function certificateSignatureAlgorithm(cert: X509Certificate): EabSignatureAlgorithm | null {
  const alg = cert.signatureAlgorithm as { name: string; hash?: { name: string } };
  if (alg.name === "Ed25519") return "Ed25519";
  const bits = alg.hash?.name.replace("SHA-", "");
  const family = alg.name === "RSASSA-PKCS1-v1_5" ? "WithRSA" : alg.name === "ECDSA" ? "withECDSA" : null;
  const name = family && bits ? `SHA${bits}${family}` : null;
  return (EAB_SIGNATURE_ALGORITHMS as readonly string[]).includes(name ?? "")
    ? (name as EabSignatureAlgorithm)
    : null;
}

function describeKey(key: KeyObject): string {
  const d = key.asymmetricKeyDetails ?? {};
  if (key.asymmetricKeyType === "rsa") return `RSA ${d.modulusLength} bits`;
  if (key.asymmetricKeyType === "ec") return `ECDSA ${d.namedCurve}`;
  return String(key.asymmetricKeyType);
}

/**
 * Reads an uploaded certificate or public key (spec "Upload PEM/DER Public Key or Certificate"):
 * PEM (a CERTIFICATE or PUBLIC KEY block) or DER, RSA, ECDSA or Ed25519 under the account key
 * policy. `field` names the input in refusals.
 */
export function inspectEabPublicKey(input: string | Uint8Array, field = "publicKey"): InspectedPublicKey {
  const refuse = (reason: string): AcmeProblem => invalidParamsProblem([{ name: field, reason }]);
  const bytes = typeof input === "string" ? Buffer.from(input, "utf8") : Buffer.from(input);
  const text = bytes.toString("latin1");
  let der: Buffer;
  let kind: "certificate" | "publicKey";
  const block = PEM_BLOCK.exec(text);
  if (block) {
    const label = block[1] as string;
    if (label.includes("PRIVATE KEY")) {
      throw refuse(
        "This is a private key: upload the certificate or public key only, and keep the private key secret",
      );
    }
    if (label !== "CERTIFICATE" && label !== "PUBLIC KEY") {
      throw refuse(
        `A "${label}" PEM block is not accepted: upload a CERTIFICATE or a PUBLIC KEY (SubjectPublicKeyInfo)`,
      );
    }
    kind = label === "CERTIFICATE" ? "certificate" : "publicKey";
    try {
      der = Buffer.from(PemConverter.decodeFirst(block[0]));
    } catch {
      throw refuse("The PEM block is not valid base64");
    }
  } else {
    der = bytes;
    kind = "certificate";
  }

  let key: KeyObject;
  let signatureAlgorithm: EabSignatureAlgorithm | null = null;
  let certificate: X509Certificate | null = null;
  if (kind === "certificate") {
    try {
      certificate = new X509Certificate(new Uint8Array(der));
    } catch {
      if (block) throw refuse("The certificate cannot be read (not a DER X.509 certificate)");
      kind = "publicKey"; // DER that is not a certificate: perhaps a SubjectPublicKeyInfo
    }
  }
  try {
    key = certificate
      ? createPublicKey({ key: Buffer.from(certificate.publicKey.rawData), format: "der", type: "spki" })
      : createPublicKey({ key: der, format: "der", type: "spki" });
  } catch {
    throw refuse(
      block
        ? "The public key cannot be read (not a DER SubjectPublicKeyInfo)"
        : "The file is neither an X.509 certificate nor a public key, in PEM or DER",
    );
  }
  const refusal = publicKeyRefusal(key, "account");
  if (refusal) throw refuse(refusal);
  const keyType = key.asymmetricKeyType as "rsa" | "ec" | "ed25519";
  if (certificate) {
    const fromCertificate = certificateSignatureAlgorithm(certificate);
    // A certificate signed by another key (its issuer) may use an algorithm its own key cannot.
    if (fromCertificate && SIGNATURE_ALGORITHM_PARAMETERS[fromCertificate].keyType === keyType) {
      signatureAlgorithm = fromCertificate;
    }
  }
  const pem = PemConverter.encode(new Uint8Array(der), kind === "certificate" ? "CERTIFICATE" : "PUBLIC KEY");
  if (pem.length > PUBLIC_KEY_PEM_MAX) {
    throw refuse(`As PEM this is ${pem.length} characters; at most ${PUBLIC_KEY_PEM_MAX} are accepted`);
  }
  return {
    kind,
    keyDescription: describeKey(key),
    pem,
    fingerprint: createHash("sha256").update(der).digest("base64url"),
    signatureAlgorithm,
    keyType,
  };
}

function resolveSignatureAlgorithm(
  inspected: InspectedPublicKey,
  chosen: EabSignatureAlgorithm | undefined,
): EabSignatureAlgorithm {
  const algorithm = chosen ?? inspected.signatureAlgorithm;
  if (!algorithm) {
    throw invalidParamsProblem([
      {
        name: "signatureAlgorithm",
        reason:
          inspected.kind === "publicKey"
            ? "Choose the signature algorithm the key's holder signs with"
            : "The certificate's own signature algorithm does not fit its key (its issuer signed it): choose the algorithm the key's holder signs with",
      },
    ]);
  }
  const needs = SIGNATURE_ALGORITHM_PARAMETERS[algorithm].keyType;
  if (needs !== inspected.keyType) {
    throw invalidParamsProblem([
      {
        name: "signatureAlgorithm",
        reason: `${algorithm} needs an ${needs.toUpperCase()} key; this key is ${inspected.keyDescription}`,
      },
    ]);
  }
  return algorithm;
}

// ---- storage ---------------------------------------------------------------------------------

const EAB_KEY_SELECT = {
  id: true,
  aliasId: true,
  type: true,
  keyIdentifier: true,
  macAlgorithm: true,
  macKeySealed: true,
  publicKeyPem: true,
  signatureAlgorithm: true,
  bindsMany: true,
  boundAccounts: true,
  expiresAt: true,
  disabledAt: true,
  createdAt: true,
  createdBy: true,
  namespace: true,
} as const;
type EabKeyRow = Prisma.EabKeyGetPayload<{ select: typeof EAB_KEY_SELECT }>;

export type StoredEabKey = EabKeyRecord & {
  aliasId: string;
  macKeySealed: Uint8Array | null;
  createdAt: Date;
  createdBy: string;
};

/** The one row mapper: algorithms were checked against the lists before they were written. */
function toEabKeyRecord(row: EabKeyRow): StoredEabKey {
  return {
    ...row,
    macAlgorithm: row.macAlgorithm as MacAlgorithm | null,
    signatureAlgorithm: row.signatureAlgorithm as EabSignatureAlgorithm | null,
  };
}

/** What newAccount verifies against: the keys of one alias, MAC keys opened on demand. */
export function eabKeySource(db: Db, aliasId: string, box: SecretBox = secretBox()): EabKeySource {
  const sealed = new Map<string, Uint8Array>();
  return {
    async find(keyIdentifier) {
      const row = await db.eabKey.findUnique({
        where: { aliasId_keyIdentifier: { aliasId, keyIdentifier } },
        select: EAB_KEY_SELECT,
      });
      if (!row) return null;
      if (row.macKeySealed) sealed.set(row.id, row.macKeySealed);
      return toEabKeyRecord(row);
    },
    openMacKey(key) {
      const value = sealed.get(key.id);
      if (!value) throw new Error(`EAB key ${key.id} has no sealed MAC key`);
      return new Uint8Array(box.open(value, macKeySealContext(key.id)));
    },
  };
}

/** Whether the alias has any EAB key at all (RFC 8555 §7.3.4: without one, a binding is ignored). */
export async function aliasHasEabKeys(db: Db, aliasId: string): Promise<boolean> {
  return (await db.eabKey.findFirst({ where: { aliasId }, select: { id: true } })) !== null;
}

/**
 * The keys that can bind an account at `now`: not disabled, not expired, and binding many or
 * none yet. The account's transaction binds with exactly this condition (lib/ra/accounts.ts).
 */
export function usableEabKeyWhere(now: Date): Prisma.EabKeyWhereInput {
  return {
    disabledAt: null,
    AND: [
      { OR: [{ expiresAt: null }, { expiresAt: { gt: now } }] },
      { OR: [{ bindsMany: true }, { boundAccounts: 0 }] },
    ],
  };
}

/**
 * Spec "Require External Account Binding": with it on and no usable key, every newAccount of the
 * alias is refused. Said to the operator who stores such an alias, not refused: keys may follow.
 */
export async function eabRequirementWarning(
  db: Db,
  aliasId: string,
  settings: AliasSettings,
  now = new Date(),
): Promise<string | null> {
  if (!settings.requireExternalAccountBinding) return null;
  const usable = await db.eabKey.count({ where: { aliasId, ...usableEabKeyWhere(now) } });
  if (usable > 0) return null;
  return "This alias requires external account binding but has no usable EAB key (none, or all disabled, expired or used up): every new account registration will be refused with externalAccountRequired or unauthorized until an EAB key is created.";
}

async function aliasIdOrThrow(
  tx: Pick<Db, "alias">,
  aliasName: string,
): Promise<{ id: string; name: string }> {
  const alias = await tx.alias.findUnique({ where: { name: aliasName }, select: { id: true, name: true } });
  if (!alias) throw notFoundProblem(`Alias "${aliasName}"`);
  return alias;
}

export type EabKeyWithAccounts = StoredEabKey & {
  accounts: { id: string; status: string; contact: string[]; createdAt: Date }[];
};

/** The accounts a key's list shows; the count is the key's own. */
export const EAB_KEY_ACCOUNTS_SHOWN = 100;

export type EabKeySearch = {
  /** Part of the key identifier (kid or fingerprint), as typed: % and _ are literal. */
  q?: string;
  sort?: EabKeySort;
  dir?: "asc" | "desc";
  /** Rows to skip and to return; left out: every key (the command line lists them all). */
  offset?: number;
  limit?: number;
};

/** Each sortable column's order; ties go by creation, newest first, then id (stable paging). */
function eabKeyOrder(
  sort: EabKeySearch["sort"],
  dir: "asc" | "desc",
): Prisma.EabKeyOrderByWithRelationInput[] {
  const ties: Prisma.EabKeyOrderByWithRelationInput[] = [{ createdAt: "desc" }, { id: "asc" }];
  switch (sort) {
    case "keyIdentifier":
      return [{ keyIdentifier: dir }, ...ties];
    case "type":
      return [{ type: dir }, ...ties];
    case "expires":
      return [{ expiresAt: { sort: dir, nulls: "last" } }, ...ties];
    case "accounts":
      return [{ boundAccounts: dir }, ...ties];
    default:
      return [{ createdAt: dir }, { id: "asc" }];
  }
}

/**
 * An alias's keys, newest first unless sorted otherwise, with the accounts each bound and how
 * many match the search; and whether the alias requires a binding with no key able to give one
 * (eabRequirementWarning).
 */
export async function listEabKeys(
  db: Db,
  aliasName: string,
  now = new Date(),
  search: EabKeySearch = {},
): Promise<{ required: boolean; warning: string | null; keys: EabKeyWithAccounts[]; total: number }> {
  const alias = await db.alias.findUnique({
    where: { name: aliasName },
    select: { id: true, settings: true },
  });
  if (!alias) throw notFoundProblem(`Alias "${aliasName}"`);
  const settings = readAliasSettings(alias.settings);
  const where: Prisma.EabKeyWhereInput = {
    aliasId: alias.id,
    ...(search.q ? { keyIdentifier: containsText(search.q) } : {}),
  };
  const [rows, total] = await Promise.all([
    db.eabKey.findMany({
      where,
      orderBy: eabKeyOrder(search.sort, search.dir ?? "desc"),
      skip: search.offset,
      take: search.limit,
      select: {
        ...EAB_KEY_SELECT,
        accounts: {
          orderBy: { createdAt: "asc" },
          take: EAB_KEY_ACCOUNTS_SHOWN,
          select: { id: true, status: true, contact: true, createdAt: true },
        },
      },
    }),
    db.eabKey.count({ where }),
  ]);
  return {
    required: settings.requireExternalAccountBinding,
    warning: await eabRequirementWarning(db, alias.id, settings, now),
    keys: rows.map(({ accounts, ...row }) => ({ ...toEabKeyRecord(row), accounts })),
    total,
  };
}

/**
 * Creates a key of the alias. Returns the MAC key once (null for a signature key, which has no
 * secret on this side).
 */
export async function createEabKey(
  db: Db,
  aliasName: string,
  input: EabKeyInput,
  by: ChangedBy,
  box: SecretBox = secretBox(),
): Promise<{ key: StoredEabKey; secret: MacKeySecret | null }> {
  const id = randomUUID();
  let data: Omit<Prisma.EabKeyUncheckedCreateInput, "aliasId" | "createdBy">;
  let secret: MacKeySecret | null = null;
  if (input.type === "mac") {
    const { key, field } = resolveMacKey(input);
    const problem = macKeyLengthProblem(key, input.macAlgorithm);
    if (problem) throw invalidParamsProblem([{ name: field ?? "macAlgorithm", reason: problem }]);
    const keyIdentifier = input.keyIdentifier ?? defaultKeyIdentifier(key);
    data = {
      id,
      type: "mac",
      keyIdentifier,
      macAlgorithm: input.macAlgorithm,
      macKeySealed: box.seal(key, macKeySealContext(id)),
    };
    secret = { keyIdentifier, macAlgorithm: input.macAlgorithm, hmacKey: b64url(key) };
  } else {
    const field = typeof input.publicKey === "string" ? "publicKey" : "publicKeyFile";
    const inspected = inspectEabPublicKey(input.publicKey, field);
    data = {
      id,
      type: "signature",
      keyIdentifier: input.fingerprint ?? inspected.fingerprint,
      publicKeyPem: inspected.pem,
      signatureAlgorithm: resolveSignatureAlgorithm(inspected, input.signatureAlgorithm),
    };
  }
  const identifierField = input.type === "mac" ? "keyIdentifier" : "fingerprint";
  if (data.keyIdentifier.length > KEY_IDENTIFIER_MAX) {
    throw invalidParamsProblem([
      { name: identifierField, reason: `At most ${KEY_IDENTIFIER_MAX} characters` },
    ]);
  }
  const duplicate = (): AcmeProblem =>
    conflictProblem(
      `Alias "${aliasName}" already has an EAB key with the ${input.type === "mac" ? "key identifier" : "fingerprint"} "${data.keyIdentifier}"`,
      identifierField,
    );
  try {
    const row = await db.$transaction(async (tx) => {
      const alias = await aliasIdOrThrow(tx, aliasName);
      // A key identifier already taken on the alias: the unique index refuses it (below).
      const created = await tx.eabKey.create({
        data: {
          ...data,
          aliasId: alias.id,
          bindsMany: input.bindsMany,
          expiresAt: input.expiresAt,
          namespace: input.namespace ?? null,
          createdBy: by.actor,
        },
        select: EAB_KEY_SELECT,
      });
      await recordAudit(tx, {
        actor: by.actor,
        action: "eab.created",
        targetType: "eabKey",
        targetId: id,
        details: { alias: alias.name, before: null, after: auditView(created) },
        ip: by.ip,
      });
      return created;
    });
    return { key: toEabKeyRecord(row), secret };
  } catch (err) {
    if (isUniqueViolation(err)) throw duplicate();
    throw err;
  }
}

/** What the audit log keeps of a key: identifiers and policy, never the key. */
function auditView(row: EabKeyRow): Prisma.InputJsonValue {
  return {
    type: row.type,
    keyIdentifier: row.keyIdentifier,
    macAlgorithm: row.macAlgorithm,
    signatureAlgorithm: row.signatureAlgorithm,
    bindsMany: row.bindsMany,
    boundAccounts: row.boundAccounts,
    namespace: row.namespace,
    expiresAt: row.expiresAt?.toISOString() ?? null,
    disabled: row.disabledAt !== null,
  };
}

async function keyOfAliasOrThrow(tx: Tx, aliasName: string, id: string) {
  const alias = await aliasIdOrThrow(tx, aliasName);
  const row = await tx.eabKey.findFirst({ where: { id, aliasId: alias.id }, select: EAB_KEY_SELECT });
  if (!row) throw notFoundProblem(`EAB key ${id} of alias "${aliasName}"`);
  return { alias, row };
}

/**
 * Disables a key (it binds no account from now on; accounts it bound keep working) or enables it
 * again. The update names the state it leaves, so two concurrent requests cannot both report it.
 */
export async function setEabKeyDisabled(
  db: Db,
  aliasName: string,
  id: string,
  disabled: boolean,
  by: ChangedBy,
): Promise<StoredEabKey> {
  return db.$transaction(async (tx) => {
    const { alias, row } = await keyOfAliasOrThrow(tx, aliasName, id);
    const { count } = await tx.eabKey.updateMany({
      where: { id, disabledAt: disabled ? null : { not: null } },
      data: { disabledAt: disabled ? new Date() : null },
    });
    if (count !== 1) {
      throw conflictProblem(
        `The EAB key "${row.keyIdentifier}" is already ${disabled ? "disabled" : "enabled"}`,
      );
    }
    const after = await tx.eabKey.findUniqueOrThrow({ where: { id }, select: EAB_KEY_SELECT });
    await recordAudit(tx, {
      actor: by.actor,
      action: disabled ? "eab.disabled" : "eab.enabled",
      targetType: "eabKey",
      targetId: id,
      details: { alias: alias.name, before: auditView(row), after: auditView(after) },
      ip: by.ip,
    });
    return toEabKeyRecord(after);
  });
}

/**
 * Deletes a key. Accounts it bound keep working and keep its identifier (Account.eabKeyIdentifier);
 * the audit row names them.
 */
export async function deleteEabKey(db: Db, aliasName: string, id: string, by: ChangedBy): Promise<void> {
  await db.$transaction(async (tx) => {
    const { alias, row } = await keyOfAliasOrThrow(tx, aliasName, id);
    const accounts = await tx.account.findMany({ where: { eabKeyId: id }, select: { id: true } });
    await tx.eabKey.delete({ where: { id } });
    await recordAudit(tx, {
      actor: by.actor,
      action: "eab.deleted",
      targetType: "eabKey",
      targetId: id,
      details: {
        alias: alias.name,
        before: auditView(row),
        after: null,
        boundAccountIds: accounts.map((a) => a.id),
      },
      ip: by.ip,
    });
  });
}
