// Certificate revocation lists (RFC 5280 §5): one full CRLv2 per CA, signed with the CA's own key,
// numbered from the Crl table and stored there; the latest one is what /ca/crl/<ca id> serves
// (the cRLDistributionPoints URL in every certificate the CA issues).
//
// The CRL is DER-encoded here rather than by @peculiar/x509's X509CrlGenerator: that generator
// checks every entry against every other one for duplicate serials (quadratic: 20,000 entries
// took 25 s on this machine), and serials are unique in the database already. The structure is
// small and fixed (RFC 5280 §5.1), and OpenSSL checks it in the tests.
import type { SecretBox } from "@/lib/crypto/secret-box";
import type { Db } from "@/lib/db/client";
import { lockForTransaction } from "@/lib/db/locks";
import { authorityKeyIdentifierFor, wholeSeconds } from "./ca-certificates";
import { type KeyAlgorithm, signingAlgorithmFor } from "./keys";
import { type LoadedCaSigner, loadCaSigner } from "./signers";

// CA/B BR §4.9.7: a CRL for subscriber certificates is reissued at least every 7 days and its
// nextUpdate is at most 10 days after thisUpdate. A day keeps revocations visible quickly.
export const DEFAULT_CRL_NEXT_UPDATE_HOURS = 24;
export const MAX_CRL_NEXT_UPDATE_HOURS = 10 * 24;

// Generating a large CRL (query + encode + sign) must not hit Prisma's default 5 s transaction
// timeout; the margin is for an instance waiting on another's lock.
const CRL_TRANSACTION_TIMEOUT_MS = 120_000;

const HOUR_MS = 60 * 60 * 1000;

export interface GeneratedCrl {
  /** The cRLNumber (RFC 5280 §5.2.3), 1 for a CA's first CRL. */
  readonly number: bigint;
  readonly der: Uint8Array<ArrayBuffer>;
  readonly thisUpdate: Date;
  readonly nextUpdate: Date;
}

export interface GenerateCrlOptions {
  readonly now?: Date;
  readonly nextUpdateHours?: number;
  /** Opens the CA key; the process's master-key box by default. */
  readonly box?: SecretBox;
}

export interface RefreshedCrl {
  readonly caId: string;
  readonly number: bigint;
}

/**
 * Signs, stores and returns a new CRL for the CA: every revoked certificate it issued that is not
 * long expired (see revokedEntries), with its revocation date and reason code.
 *
 * The number is the CA's highest stored number + 1, decided under a per-CA advisory lock in the
 * transaction that stores the CRL, so instances generating at the same moment take turns and get
 * consecutive numbers; the (caId, number) unique index backs this up. Throws if the CA does not
 * exist.
 */
export async function generateCrl(
  db: Db,
  caId: string,
  options: GenerateCrlOptions = {},
): Promise<GeneratedCrl> {
  const { number, der, thisUpdate, nextUpdate } = await generateCrlUnderLock(db, caId, options, null);
  return { number, der, thisUpdate, nextUpdate };
}

/** The DER of the CA's latest stored CRL, or null when it has none (or does not exist). */
export async function getLatestCrl(db: Db, caId: string): Promise<Uint8Array<ArrayBuffer> | null> {
  const latest = await db.crl.findFirst({
    where: { caId },
    orderBy: { number: "desc" },
    select: { der: true },
  });
  return latest ? new Uint8Array(latest.der) : null;
}

/**
 * The CRL to serve for a CA: the latest stored one while its nextUpdate is in the future, else a
 * newly generated one (so a missing scheduler run or a brand-new CA never leaves relying parties
 * without a current CRL). Null when no CA has this id.
 */
export async function getCurrentCrl(
  db: Db,
  caId: string,
  options: { readonly now?: Date; readonly box?: SecretBox } = {},
): Promise<Uint8Array<ArrayBuffer> | null> {
  if (!isPlausibleCaId(caId)) return null;
  const now = options.now ?? new Date();
  const latest = await db.crl.findFirst({
    where: { caId },
    orderBy: { number: "desc" },
    select: { der: true, nextUpdate: true },
  });
  if (latest && latest.nextUpdate > now) return new Uint8Array(latest.der);
  const signer = await loadCaSigner(db, caId, { box: options.box });
  if (!signer) return null;
  // Many requests may find the CRL stale at once; under the lock, all but the first reuse the
  // CRL the first one stored.
  const crl = await generateCrlUnderLock(
    db,
    caId,
    { now, box: options.box },
    (previous) => previous.nextUpdate > now,
  );
  return crl.der;
}

/**
 * For a scheduler: regenerates the CRL of every CA whose latest CRL is missing or has passed half
 * of its validity (thisUpdate + (nextUpdate − thisUpdate) / 2, i.e. 12 h into a 24 h CRL), and
 * returns the CRLs it made. Safe to run on every instance at once: the due check is repeated under
 * the CA's lock. A failing CA does not stop the others; the failures are thrown together at the end.
 */
export async function refreshCrlsIfDue(db: Db, options: GenerateCrlOptions = {}): Promise<RefreshedCrl[]> {
  const now = options.now ?? new Date();
  const cas = await db.certificateAuthority.findMany({ select: { id: true }, orderBy: { createdAt: "asc" } });
  const refreshed: RefreshedCrl[] = [];
  const failures: unknown[] = [];
  const isFresh = (crl: { thisUpdate: Date; nextUpdate: Date }) =>
    now.getTime() < (crl.thisUpdate.getTime() + crl.nextUpdate.getTime()) / 2;
  for (const { id } of cas) {
    try {
      const latest = await db.crl.findFirst({
        where: { caId: id },
        orderBy: { number: "desc" },
        select: { thisUpdate: true, nextUpdate: true },
      });
      if (latest && isFresh(latest)) continue;
      const crl = await generateCrlUnderLock(db, id, { ...options, now }, isFresh);
      if (crl.generated) refreshed.push({ caId: id, number: crl.number });
    } catch (error) {
      failures.push(error);
    }
  }
  if (failures.length > 0)
    throw new AggregateError(failures, `CRL refresh failed for ${failures.length} CA(s)`);
  return refreshed;
}

// --- generation ---------------------------------------------------------------------------------

interface StoredCrlFacts {
  readonly number: bigint;
  readonly thisUpdate: Date;
  readonly nextUpdate: Date;
}

async function generateCrlUnderLock(
  db: Db,
  caId: string,
  options: GenerateCrlOptions,
  reuseIf: ((previous: StoredCrlFacts) => boolean) | null,
): Promise<GeneratedCrl & { readonly generated: boolean }> {
  const nextUpdateHours = options.nextUpdateHours ?? DEFAULT_CRL_NEXT_UPDATE_HOURS;
  if (!(nextUpdateHours > 0 && nextUpdateHours <= MAX_CRL_NEXT_UPDATE_HOURS)) {
    throw new Error(`nextUpdateHours must be more than 0 and at most ${MAX_CRL_NEXT_UPDATE_HOURS}`);
  }
  const ca = await loadCaSigner(db, caId, { box: options.box });
  if (!ca) throw new Error(`no certificate authority with id ${caId}`);

  return db.$transaction(
    async (tx) => {
      // Serialises numbering per CA across every instance sharing the database (DESIGN "Scale");
      // released at commit or rollback.
      await lockForTransaction(tx, `keyward:crl:${caId}`);
      const previous = await tx.crl.findFirst({
        where: { caId },
        orderBy: { number: "desc" },
        select: { number: true, thisUpdate: true, nextUpdate: true, der: true },
      });
      if (previous && reuseIf?.(previous)) {
        const { number, thisUpdate, nextUpdate } = previous;
        return { number, thisUpdate, nextUpdate, der: new Uint8Array(previous.der), generated: false };
      }

      // thisUpdate never goes backwards, even if this instance's clock is behind the one that
      // signed the previous CRL: relying parties may compare CRLs by either field.
      const now = wholeSeconds(options.now ?? new Date());
      const thisUpdate = previous && previous.thisUpdate > now ? previous.thisUpdate : now;
      const nextUpdate = wholeSeconds(new Date(thisUpdate.getTime() + nextUpdateHours * HOUR_MS));
      const number = (previous?.number ?? 0n) + 1n;

      // RFC 5280 §3.3: an entry "MUST NOT be removed from the CRL until it appears on one regularly
      // scheduled CRL issued beyond the revoked certificate's validity period". Keeping every
      // certificate that expired no earlier than the previous CRL's thisUpdate does exactly that:
      // a certificate expiring at T is on the first CRL issued after T, and gone from the next.
      const revoked = await tx.certificate.findMany({
        where: {
          issuerId: caId,
          status: "revoked",
          ...(previous ? { notAfter: { gte: previous.thisUpdate } } : {}),
        },
        select: { serialHex: true, revokedAt: true, revocationReason: true },
        orderBy: [{ revokedAt: "asc" }, { serialHex: "asc" }],
      });
      const der = await signCrl(ca, {
        number,
        thisUpdate,
        nextUpdate,
        entries: revoked.map((row) => ({
          serialHex: row.serialHex,
          // A revoked row always carries its date; the fallback keeps a damaged row from
          // blocking every later CRL.
          revocationDate: row.revokedAt ?? thisUpdate,
          reason: row.revocationReason,
        })),
      });
      await tx.crl.create({ data: { caId, number, thisUpdate, nextUpdate, der } });
      return { number, thisUpdate, nextUpdate, der, generated: true };
    },
    { timeout: CRL_TRANSACTION_TIMEOUT_MS, maxWait: CRL_TRANSACTION_TIMEOUT_MS },
  );
}

// CA ids are UUIDs (randomUUID / Prisma uuid()); anything else in a URL is not worth a query.
function isPlausibleCaId(caId: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(caId);
}

// --- DER ----------------------------------------------------------------------------------------

interface CrlEntryInput {
  readonly serialHex: string;
  readonly revocationDate: Date;
  readonly reason: number | null;
}

interface CrlInput {
  readonly number: bigint;
  readonly thisUpdate: Date;
  readonly nextUpdate: Date;
  readonly entries: readonly CrlEntryInput[];
}

// RFC 5280 §5.3.1 CRLReason values a CRL entry may carry: 1–6 and 8–10. 0 (unspecified) is left
// out, as §5.3.1 recommends ("the reason code extension SHOULD be absent" rather than
// unspecified); 7 is not assigned.
const ENCODED_REASONS = new Set([1, 2, 3, 4, 5, 6, 8, 9, 10]);

// Object identifiers, DER-encoded (tag, length, value).
const OID_CRL_NUMBER = hex("0603551d14"); // 2.5.29.20, RFC 5280 §5.2.3
const OID_REASON_CODE = hex("0603551d15"); // 2.5.29.21, RFC 5280 §5.3.1

// AlgorithmIdentifier of the CA's signature, matching signingAlgorithmFor (lib/ca/keys.ts).
// RFC 5758 §3.2: ecdsa-with-SHA* without parameters; RFC 4055 §5: sha256WithRSAEncryption with NULL.
const SIGNATURE_ALGORITHMS: Record<KeyAlgorithm, Uint8Array<ArrayBuffer>> = {
  "ECDSA-P256": hex("300a06082a8648ce3d040302"),
  "ECDSA-P384": hex("300a06082a8648ce3d040303"),
  "RSA-2048": hex("300d06092a864886f70d01010b0500"),
  "RSA-3072": hex("300d06092a864886f70d01010b0500"),
  "RSA-4096": hex("300d06092a864886f70d01010b0500"),
};

// X.690 tags.
const TAG_INTEGER = 0x02;
const TAG_BIT_STRING = 0x03;
const TAG_OCTET_STRING = 0x04;
const TAG_ENUMERATED = 0x0a;
const TAG_UTC_TIME = 0x17;
const TAG_GENERALIZED_TIME = 0x18;
const TAG_SEQUENCE = 0x30;
const TAG_CONTEXT_0 = 0xa0;

/** CertificateList (RFC 5280 §5.1) signed by the CA. */
async function signCrl(ca: LoadedCaSigner, crl: CrlInput): Promise<Uint8Array<ArrayBuffer>> {
  const { signer } = ca;
  const algorithm = SIGNATURE_ALGORITHMS[signer.keyAlgorithm];
  const authorityKeyIdentifier = await authorityKeyIdentifierFor(signer.certificate);
  const crlNumber = tlv(
    TAG_SEQUENCE,
    OID_CRL_NUMBER,
    tlv(TAG_OCTET_STRING, tlv(TAG_INTEGER, unsignedIntegerContent(bigintBytes(crl.number)))),
  );
  const revokedCertificates = crl.entries.map((entry) => {
    const parts = [
      tlv(TAG_INTEGER, unsignedIntegerContent(hexBytes(entry.serialHex))),
      encodeTime(entry.revocationDate),
    ];
    if (entry.reason !== null && ENCODED_REASONS.has(entry.reason)) {
      const reasonCode = tlv(
        TAG_SEQUENCE,
        OID_REASON_CODE,
        tlv(TAG_OCTET_STRING, tlv(TAG_ENUMERATED, Uint8Array.of(entry.reason))),
      );
      parts.push(tlv(TAG_SEQUENCE, reasonCode));
    }
    return tlv(TAG_SEQUENCE, ...parts);
  });

  const tbsCertList = tlv(
    TAG_SEQUENCE,
    tlv(TAG_INTEGER, Uint8Array.of(1)), // version v2 (§5.1.2.1): required with extensions
    algorithm,
    // The issuer is encoded exactly as in the certificates the CA signs (signCertificate).
    new Uint8Array(signer.certificate.subjectName.toArrayBuffer()),
    encodeTime(crl.thisUpdate),
    encodeTime(crl.nextUpdate), // BR §7.2.2 and RFC 5280 §5.1.2.5: always present
    // §5.1.2.6: "When there are no revoked certificates, the revoked certificates list MUST be absent."
    ...(revokedCertificates.length > 0 ? [tlv(TAG_SEQUENCE, ...revokedCertificates)] : []),
    // §5.2: AKI (§5.2.1, MUST) and cRLNumber (§5.2.3, MUST), both non-critical.
    tlv(TAG_CONTEXT_0, tlv(TAG_SEQUENCE, new Uint8Array(authorityKeyIdentifier.rawData), crlNumber)),
  );

  const rawSignature = new Uint8Array(
    await crypto.subtle.sign(signingAlgorithmFor(signer.keyAlgorithm), signer.privateKey, tbsCertList),
  );
  const signature = signer.keyAlgorithm.startsWith("ECDSA-")
    ? ecdsaSignatureToDer(rawSignature)
    : rawSignature;
  return tlv(TAG_SEQUENCE, tbsCertList, algorithm, tlv(TAG_BIT_STRING, Uint8Array.of(0), signature));
}

/** RFC 5280 §5.1.2.4: UTCTime through 2049, GeneralizedTime from 2050; seconds, always "Z". */
function encodeTime(date: Date): Uint8Array<ArrayBuffer> {
  const year = date.getUTCFullYear();
  const pad = (value: number) => String(value).padStart(2, "0");
  const rest =
    pad(date.getUTCMonth() + 1) +
    pad(date.getUTCDate()) +
    pad(date.getUTCHours()) +
    pad(date.getUTCMinutes()) +
    pad(date.getUTCSeconds());
  if (year >= 1950 && year < 2050) {
    return tlv(TAG_UTC_TIME, new TextEncoder().encode(`${pad(year % 100)}${rest}Z`));
  }
  return tlv(TAG_GENERALIZED_TIME, new TextEncoder().encode(`${String(year).padStart(4, "0")}${rest}Z`));
}

/**
 * WebCrypto's ECDSA signature is r ‖ s (IEEE P1363); X.509 wants Ecdsa-Sig-Value, a SEQUENCE of
 * two INTEGERs (RFC 5758 §3.2, RFC 3279 §2.2.3).
 */
function ecdsaSignatureToDer(raw: Uint8Array<ArrayBuffer>): Uint8Array<ArrayBuffer> {
  const half = raw.length / 2;
  return tlv(
    TAG_SEQUENCE,
    tlv(TAG_INTEGER, unsignedIntegerContent(raw.subarray(0, half))),
    tlv(TAG_INTEGER, unsignedIntegerContent(raw.subarray(half))),
  );
}

/** INTEGER contents for a non-negative big-endian magnitude: minimal, with a 0x00 if the top bit is set (X.690 §8.3). */
function unsignedIntegerContent(magnitude: Uint8Array<ArrayBuffer>): Uint8Array<ArrayBuffer> {
  let start = 0;
  while (start < magnitude.length - 1 && magnitude[start] === 0) start++;
  const trimmed = magnitude.subarray(start);
  if (trimmed.length === 0) return Uint8Array.of(0);
  return (trimmed[0] ?? 0) & 0x80 ? concat([Uint8Array.of(0), trimmed]) : trimmed;
}

function bigintBytes(value: bigint): Uint8Array<ArrayBuffer> {
  return hexBytes(value.toString(16));
}

function hexBytes(text: string): Uint8Array<ArrayBuffer> {
  return hex(text.length % 2 === 1 ? `0${text}` : text);
}

function hex(text: string): Uint8Array<ArrayBuffer> {
  return new Uint8Array(Buffer.from(text, "hex"));
}

/** One DER TLV (X.690 §8.1) with a definite, minimal length (§10.1). */
function tlv(tag: number, ...contents: Uint8Array<ArrayBuffer>[]): Uint8Array<ArrayBuffer> {
  const body = contents.length === 1 ? (contents[0] as Uint8Array<ArrayBuffer>) : concat(contents);
  return concat([Uint8Array.of(tag), encodeLength(body.length), body]);
}

function encodeLength(length: number): Uint8Array<ArrayBuffer> {
  if (length < 0x80) return Uint8Array.of(length);
  const octets: number[] = [];
  for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) octets.unshift(rest % 256);
  return Uint8Array.from([0x80 | octets.length, ...octets]);
}

function concat(parts: readonly Uint8Array<ArrayBuffer>[]): Uint8Array<ArrayBuffer> {
  return new Uint8Array(Buffer.concat(parts));
}
