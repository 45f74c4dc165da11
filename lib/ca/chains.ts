// lib/ca — which CA signs an alias's certificates, and the chains a certificate is served with
// (issue 12 items 1 and 7). A CA has its own chain (its certificate, signed by its parent root)
// and one more per cross-certificate (the same subject and key signed by another root). The
// ACME certificate resource serves one chain and links the others as alternates (RFC 8555
// §7.4.2); an alias's "Preferred root CA subject DN" pins one chain and drops the alternates
// (spec "Preferred Root CA subject DN").

import { secretBox } from "@/lib/crypto/master-key";
import type { SecretBox } from "@/lib/crypto/secret-box";
import { X509Certificate } from "@/lib/crypto/x509";
import { ChangeCache } from "@/lib/db/changes";
import type { Db } from "@/lib/db/client";
import { invalidParamsProblem } from "@/lib/problem";
import {
  defaultIssuingCaId,
  followSuccessors,
  type LoadedCertificateAuthority,
  unsealCa,
} from "./authorities";

/** The spec's value for "no preference": the default chain, alternates linked. Empty means the same. */
export const DEFAULT_PREFERRED_ROOT = "default";

/** One chain for certificates a CA issued, leaf excluded, root excluded (RFC 8555 §9.1 style). */
export interface CaChain {
  /** 0: the CA's own chain; 1…: its cross-certificates, oldest first. */
  readonly index: number;
  /** The subject DN of the root this chain leads to, as the certificate prints it. */
  readonly rootSubjectDn: string;
  readonly rootName: string;
  /** DER, nearest the leaf first. */
  readonly certificates: readonly Uint8Array<ArrayBuffer>[];
}

// --- issuing CA of an alias ---------------------------------------------------------------------

const issuerCache = new WeakMap<Db, Map<string, Promise<LoadedCertificateAuthority>>>();

// Issue 13: which CA signs, and the chains its certificates are served with, change only when a
// CA or a cross-certificate does. Every process keeps them until a "ca" notification (migration
// "ca_change_notifications") or "settings" (what the console announces after any change it
// makes, lib/console/api/with-console.ts) says otherwise; without a live feed they are read
// through on every call, as before.
const keysOfCaChange = (change: string): string[] | null =>
  change === "ca" || change === "settings" ? null : [];
const signers = new ChangeCache<string, LoadedCertificateAuthority>({
  size: 256,
  maxAgeMs: 10 * 60_000,
  keysOf: keysOfCaChange,
});
const servedChains = new ChangeCache<string, CaChain[]>({
  size: 1024,
  maxAgeMs: 10 * 60_000,
  keysOf: keysOfCaChange,
});

/**
 * The CA that signs certificates for an alias: the one its end entity profile names (or, after a
 * new-key renewal, that CA's successor), or the default issuing CA when it names none. Kept in
 * memory until a CA changes (above); the unsealed key is cached by id and serial.
 */
export function loadIssuingAuthority(
  db: Db,
  configuredId: string | null,
  options: { box?: SecretBox } = {},
): Promise<LoadedCertificateAuthority> {
  return signers.get(configuredId ?? "", () => readIssuingAuthority(db, configuredId, options));
}

async function readIssuingAuthority(
  db: Db,
  configuredId: string | null,
  options: { box?: SecretBox },
): Promise<LoadedCertificateAuthority> {
  const id = configuredId ?? (await defaultIssuingCaId(db));
  const start = id ? await db.certificateAuthority.findUnique({ where: { id } }) : null;
  if (!start) throw new Error(`the issuing CA ${id ?? "(default)"} does not exist`);
  const row = await followSuccessors(db, start);
  if (row.role !== "issuing")
    throw new Error(`CA "${row.name}" is a root; it does not issue subscriber certificates`);
  let cache = issuerCache.get(db);
  if (!cache) {
    cache = new Map();
    issuerCache.set(db, cache);
  }
  const key = `${row.id}:${row.serialHex}`;
  const cached = cache.get(key);
  if (cached) return cached;
  const loading = unsealCa(row, options.box ?? secretBox());
  cache.set(key, loading);
  loading.catch(() => {
    if (cache.get(key) === loading) cache.delete(key);
  });
  return loading;
}

/** chainsOfCa, kept in memory until a CA changes (above): what the certificate URL serves. */
export function servedChainsOfCa(db: Db, caId: string): Promise<CaChain[]> {
  return servedChains.get(caId, () => chainsOfCa(db, caId));
}

// --- chains -------------------------------------------------------------------------------------

// A hierarchy is a handful of CAs; the bound stops a damaged parent cycle.
const MAX_CHAIN_LENGTH = 8;

/**
 * Every chain of `caId`: its own first, then one per cross-certificate, oldest first. The own
 * chain climbs the Keyward parents to their root; for an imported CA whose issuer is outside
 * Keyward it is the external chain the operator uploaded (lib/ca/external-chains.ts), up to the
 * external root, or the CA's certificate alone while there is none.
 */
export async function chainsOfCa(db: Db, caId: string): Promise<CaChain[]> {
  const ca = await db.certificateAuthority.findUnique({
    where: { id: caId },
    select: { id: true, parentId: true, certificateDer: true, externalChainDer: true },
  });
  if (!ca) return [];
  const own: Uint8Array<ArrayBuffer>[] = [new Uint8Array(ca.certificateDer)];
  let parentId = ca.parentId;
  let root: { name: string; certificateDer: Uint8Array } | null = null;
  for (let i = 0; parentId && i < MAX_CHAIN_LENGTH; i++) {
    const parent = await db.certificateAuthority.findUnique({
      where: { id: parentId },
      select: { name: true, role: true, parentId: true, certificateDer: true },
    });
    if (!parent) break;
    if (parent.role === "root") {
      root = parent;
      break;
    }
    own.push(new Uint8Array(parent.certificateDer));
    parentId = parent.parentId;
  }
  if (!root && ca.parentId === null && ca.externalChainDer.length > 0) {
    // The external intermediates, root excluded as for Keyward's own roots.
    const external = ca.externalChainDer.map((der) => new Uint8Array(der));
    const externalRoot = new X509Certificate(external[external.length - 1] as Uint8Array<ArrayBuffer>);
    own.push(...external.slice(0, -1));
    root = {
      name: externalRoot.subjectName.getField("CN")[0] ?? externalRoot.subject,
      certificateDer: new Uint8Array(externalRoot.rawData),
    };
  }
  const topIssuer = new X509Certificate(own[own.length - 1] as Uint8Array<ArrayBuffer>);
  const chains: CaChain[] = [
    {
      index: 0,
      // Without a Keyward parent or an external chain (an imported sub-CA whose chain was not
      // uploaded), the root is named by the top certificate's issuer.
      rootSubjectDn: root
        ? new X509Certificate(new Uint8Array(root.certificateDer)).subject
        : topIssuer.issuer,
      rootName: root?.name ?? topIssuer.issuerName.getField("CN")[0] ?? topIssuer.issuer,
      certificates: own,
    },
  ];
  const crosses = await db.caCrossCertificate.findMany({
    where: { caId },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
    select: { certificateDer: true, issuer: { select: { name: true, certificateDer: true } } },
  });
  for (const cross of crosses) {
    chains.push({
      index: chains.length,
      rootSubjectDn: new X509Certificate(new Uint8Array(cross.issuer.certificateDer)).subject,
      rootName: cross.issuer.name,
      certificates: [new Uint8Array(cross.certificateDer)],
    });
  }
  return chains;
}

/**
 * The external chain uploaded above a CA signed outside Keyward (its issuer first, the external
 * root last), or nothing for a CA with a Keyward parent or without one uploaded.
 */
export async function externalChainOf(db: Db, caId: string): Promise<Uint8Array<ArrayBuffer>[]> {
  const ca = await db.certificateAuthority.findUnique({
    where: { id: caId },
    select: { parentId: true, externalChainDer: true },
  });
  return ca?.parentId === null ? ca.externalChainDer.map((der) => new Uint8Array(der)) : [];
}

/** Whether a preferred-root setting asks for no particular chain. */
export function isDefaultPreferredRoot(preferred: string): boolean {
  const text = preferred.trim();
  return text === "" || text.toLowerCase() === DEFAULT_PREFERRED_ROOT;
}

/**
 * The chain served at the certificate URL and the alternates linked from it (spec "Preferred
 * Root CA subject DN"): by default the CA's own chain, every other one an alternate; with a
 * preferred root DN, the chain to that root alone, or the CA's own chain when none leads there
 * (the DN names a root this CA has no cross-certificate from), again with no alternates.
 */
export function selectChains(
  chains: readonly CaChain[],
  preferredRootSubjectDn: string,
): { served: CaChain | undefined; alternates: CaChain[]; pinned: boolean } {
  if (isDefaultPreferredRoot(preferredRootSubjectDn)) {
    return { served: chains[0], alternates: chains.slice(1), pinned: false };
  }
  const preferred = chains.find((chain) =>
    sameDistinguishedName(chain.rootSubjectDn, preferredRootSubjectDn),
  );
  return { served: preferred ?? chains[0], alternates: [], pinned: true };
}

/**
 * DN equality as an operator means it: attribute types and values compared case-insensitively
 * with spacing ignored, in either RDN order (RFC 4514 writes the most specific RDN first, X.509
 * printers often the other way round).
 */
export function sameDistinguishedName(a: string, b: string): boolean {
  const rdns = (text: string): string[] | null => {
    const parts = text.split(/(?<!\\),/).map((rdn) => {
      const eq = rdn.indexOf("=");
      if (eq < 1) return null;
      const value = rdn
        .slice(eq + 1)
        .trim()
        .replace(/\s+/g, " ")
        .toLowerCase();
      return `${rdn.slice(0, eq).trim().toUpperCase()}=${value}`;
    });
    return parts.every((p): p is string => p !== null) ? parts : null;
  };
  const x = rdns(a);
  const y = rdns(b);
  if (!x || !y || x.length !== y.length) return false;
  const same = (p: string[], q: string[]) => p.every((rdn, i) => rdn === q[i]);
  return same(x, y) || same(x, [...y].reverse());
}

// --- alias settings -----------------------------------------------------------------------------

export interface CaChoice {
  readonly id: string;
  readonly name: string;
  readonly subjectDn: string;
  readonly role: "root" | "issuing";
  /** Set for a CA renewed with a new key: issuance follows this successor. */
  readonly successorId: string | null;
}

/** Every CA, for the alias form's selects (issuing CA, preferred root) and their checks. */
export async function listCaChoices(db: Pick<Db, "certificateAuthority">): Promise<CaChoice[]> {
  const rows = await db.certificateAuthority.findMany({
    select: { id: true, name: true, subjectDn: true, role: true, successorId: true, certificateDer: true },
    orderBy: [{ role: "asc" }, { createdAt: "asc" }],
  });
  return rows.map((row) => ({
    id: row.id,
    name: row.name,
    // As the certificate prints it: the form the preferred-root select offers and compares.
    subjectDn: new X509Certificate(new Uint8Array(row.certificateDer)).subject,
    role: row.role,
    successorId: row.successorId,
  }));
}

/**
 * The alias's preferred root CA names a CA that exists: "default", empty, or the subject DN of a
 * root — Keyward's, or the external root of an imported CA's chain (an operator's typo would
 * otherwise silently serve the default chain). Which CA issues is
 * the end entity profile's choice (lib/ra/profiles.ts), not an alias setting.
 */
export async function assertAliasCaSettingsExist(
  db: Pick<Db, "certificateAuthority">,
  settings: { preferredRootCaSubjectDn: string },
): Promise<void> {
  const problems: { name: string; reason: string }[] = [];
  const choices = await listCaChoices(db);
  if (!isDefaultPreferredRoot(settings.preferredRootCaSubjectDn)) {
    // Keyward's roots, and the external roots that imported CAs' uploaded chains end at.
    const external = await db.certificateAuthority.findMany({
      where: { externalChainDer: { isEmpty: false } },
      select: { externalChainDer: true },
    });
    const roots = [
      ...choices.filter((c) => c.role === "root"),
      ...external.map((row) => ({
        subjectDn: new X509Certificate(new Uint8Array(row.externalChainDer.at(-1) as Uint8Array)).subject,
      })),
    ];
    if (!roots.some((root) => sameDistinguishedName(root.subjectDn, settings.preferredRootCaSubjectDn))) {
      problems.push({
        name: "settings.preferredRootCaSubjectDn",
        reason: `No root CA has this subject DN; use "default" or one of: ${roots.map((r) => r.subjectDn).join("; ")}`,
      });
    }
  }
  if (problems.length > 0) throw invalidParamsProblem(problems);
}
