// Any stored CA's signer by id: what CRL generation needs for the root and for every issuing CA,
// including ones a rollover has superseded (their certificates stay valid, so their CRLs must
// stay fresh). authorities.ts loads the current hierarchy; this loads one CA, whichever it is.
// The key is unsealed as authorities.ts does it: bound to the row id, imported non-extractable,
// plaintext wiped right after the import.
import { secretBox } from "@/lib/crypto/master-key";
import type { SecretBox } from "@/lib/crypto/secret-box";
import { X509Certificate } from "@/lib/crypto/x509";
import type { Db } from "@/lib/db/client";
import { type CaRole, caKeySealContext } from "./authorities";
import type { CaSigner } from "./ca-certificates";
import { importPrivateKeyPkcs8, parseKeyAlgorithm } from "./keys";

export interface LoadedCaSigner {
  readonly id: string;
  readonly role: CaRole;
  readonly signer: CaSigner;
}

const signerCache = new WeakMap<Db, Map<string, Promise<LoadedCaSigner | null>>>();

/**
 * The CA with this id and its signer, or null when no such CA exists. Cached per database client
 * and id: a CA's key never changes under its id, and a same-key renewal (lib/ca/management.ts)
 * keeps its subject and key identifier, which is all a CRL takes from the certificate; the
 * renewal clears this process's cache anyway. A failed load is not cached.
 */
export function loadCaSigner(
  db: Db,
  caId: string,
  options: { box?: SecretBox } = {},
): Promise<LoadedCaSigner | null> {
  let cache = signerCache.get(db);
  if (!cache) {
    cache = new Map();
    signerCache.set(db, cache);
  }
  const cached = cache.get(caId);
  if (cached) return cached;
  const loading = readCaSigner(db, caId, options.box);
  cache.set(caId, loading);
  const forget = () => {
    if (cache.get(caId) === loading) cache.delete(caId);
  };
  // Neither a failure (database not ready) nor "not found" (the CA may be created later) sticks.
  loading.then((loaded) => loaded ?? forget(), forget);
  return loading;
}

/** Forgets cached signers (tests). */
export function clearCaSignerCache(db: Db): void {
  signerCache.delete(db);
}

async function readCaSigner(
  db: Db,
  caId: string,
  box: SecretBox | undefined,
): Promise<LoadedCaSigner | null> {
  const row = await db.certificateAuthority.findUnique({
    where: { id: caId },
    select: { id: true, role: true, keyAlgorithm: true, certificateDer: true, privateKeySealed: true },
  });
  if (!row) return null;
  const keyAlgorithm = parseKeyAlgorithm(row.keyAlgorithm);
  const pkcs8 = (box ?? secretBox()).open(row.privateKeySealed, caKeySealContext(row.id));
  let privateKey: CryptoKey;
  try {
    privateKey = await importPrivateKeyPkcs8(pkcs8, keyAlgorithm);
  } finally {
    pkcs8.fill(0);
  }
  const certificate = new X509Certificate(new Uint8Array(row.certificateDer));
  return { id: row.id, role: row.role, signer: { certificate, keyAlgorithm, privateKey } };
}
