// External account binding keys as the console, its API and the CLI see and change them: the
// actor's permission, the input parsed by the shared schema, then lib/ra/eab-keys.ts, which holds
// every rule and writes each change with its audit row. Views are allowlists: identifiers, policy
// and the accounts a key bound — never a MAC key, except the one time createEabKey returns it.
import { assertPermission, auditActorOf, type ConsoleActor } from "@/lib/auth/actor";
import { db } from "@/lib/db/client";
import { zodProblem } from "@/lib/problem";
import { eabKeyState } from "@/lib/ra/eab";
import type { EabKeyState, EabKeyType, EabSignatureAlgorithm, MacAlgorithm } from "@/lib/ra/eab-algorithms";
import * as ra from "@/lib/ra/eab-keys";
import { resolveNames } from "./audit";
import { DEFAULT_PAGE_SIZE } from "./schemas/common";
import {
  createEabKeyBodySchema,
  type EabKeyListQuery,
  inspectEabPublicKeyBodySchema,
  updateEabKeyBodySchema,
} from "./schemas/eab-keys";

export type EabKeyView = {
  id: string;
  alias: string;
  type: EabKeyType;
  /** The kid (MAC key) or the fingerprint cf (signature key) clients send. */
  keyIdentifier: string;
  macAlgorithm: MacAlgorithm | null;
  signatureAlgorithm: EabSignatureAlgorithm | null;
  /** Signature keys: whether a certificate or a bare public key was uploaded. */
  publicKeyKind: "certificate" | "publicKey" | null;
  binds: "one" | "many";
  /** Spec "Combine ACME EAB with General Account Binding"; null: none. */
  namespace: string | null;
  boundAccountCount: number;
  /** The accounts it bound, oldest first (at most lib/ra EAB_KEY_ACCOUNTS_SHOWN). */
  boundAccounts: { id: string; status: string; contact: string[]; createdAt: string }[];
  state: EabKeyState;
  expiresAt: string | null;
  disabledAt: string | null;
  createdAt: string;
  createdBy: string;
};

export type EabKeyList = {
  alias: string;
  /** The alias's "Require external account binding". */
  required: boolean;
  /** Set when the alias requires EAB and no key can bind: every registration is refused. */
  warning: string | null;
  items: EabKeyView[];
  /** How many keys match the search (items holds one page of them when paged). */
  total: number;
  page: number;
  pageSize: number;
};

/** The MAC key, once: what an operator hands to the client's operator. */
export type EabKeyCreated = { key: EabKeyView; secret: ra.MacKeySecret | null };

function toView(
  alias: string,
  key: ra.StoredEabKey & { accounts?: ra.EabKeyWithAccounts["accounts"] },
  names: Map<string, string>,
  now: Date,
): EabKeyView {
  return {
    id: key.id,
    alias,
    type: key.type,
    keyIdentifier: key.keyIdentifier,
    macAlgorithm: key.macAlgorithm,
    signatureAlgorithm: key.signatureAlgorithm,
    publicKeyKind: key.publicKeyPem
      ? key.publicKeyPem.startsWith("-----BEGIN CERTIFICATE-----")
        ? "certificate"
        : "publicKey"
      : null,
    binds: key.bindsMany ? "many" : "one",
    namespace: key.namespace,
    boundAccountCount: key.boundAccounts,
    boundAccounts: (key.accounts ?? []).map((a) => ({
      id: a.id,
      status: a.status,
      contact: a.contact,
      createdAt: a.createdAt.toISOString(),
    })),
    state: eabKeyState(key, now),
    expiresAt: key.expiresAt?.toISOString() ?? null,
    disabledAt: key.disabledAt?.toISOString() ?? null,
    createdAt: key.createdAt.toISOString(),
    createdBy: names.get(key.createdBy) ?? key.createdBy,
  };
}

async function namesOf(keys: { createdBy: string }[]) {
  return resolveNames(keys.map((k) => ({ actor: k.createdBy, targetType: "eabKey", targetId: null })));
}

const changedBy = (actor: ConsoleActor) => ({ actor: auditActorOf(actor), ip: actor.ip });

/** An alias's keys, newest first, with the accounts each bound. */
/** An alias's keys: one page of those matching the search, or every key when no page is asked. */
export async function listEabKeys(
  o: { actor: ConsoleActor; alias: string } & Partial<EabKeyListQuery>,
): Promise<EabKeyList> {
  assertPermission(o.actor, "console.read");
  const now = new Date();
  const paged = o.page !== undefined || o.pageSize !== undefined;
  const page = o.page ?? 1;
  const pageSize = o.pageSize ?? DEFAULT_PAGE_SIZE;
  const { required, warning, keys, total } = await ra.listEabKeys(db(), o.alias, now, {
    q: o.q,
    sort: o.sort ?? "created",
    dir: o.dir ?? "desc",
    ...(paged ? { offset: (page - 1) * pageSize, limit: pageSize } : {}),
  });
  const names = await namesOf(keys);
  return {
    alias: o.alias,
    required,
    warning,
    items: keys.map((k) => toView(o.alias, k, names, now)),
    total,
    page: paged ? page : 1,
    pageSize: paged ? pageSize : Math.max(total, 1),
  };
}

function decodeFile(base64: string | undefined): Uint8Array | undefined {
  return base64 === undefined ? undefined : new Uint8Array(Buffer.from(base64, "base64"));
}

/** Creates a key; a MAC key is in the answer's `secret`, this once. */
export async function createEabKey(o: {
  actor: ConsoleActor;
  alias: string;
  input: unknown;
}): Promise<EabKeyCreated> {
  assertPermission(o.actor, "eab.manage");
  const parsed = createEabKeyBodySchema.safeParse(o.input);
  if (!parsed.success) throw zodProblem(parsed.error);
  const body = parsed.data;
  const expiresAt = body.expiresInDays ? new Date(Date.now() + body.expiresInDays * 86_400_000) : null;
  const policy = { bindsMany: body.binds === "many", expiresAt, namespace: body.namespace ?? null };
  const input: ra.EabKeyInput =
    body.type === "mac"
      ? {
          type: "mac",
          macAlgorithm: body.macAlgorithm,
          keyIdentifier: body.keyIdentifier,
          key: body.key,
          keyFile: decodeFile(body.keyFile),
          ...policy,
        }
      : {
          type: "signature",
          publicKey: body.publicKey ?? (decodeFile(body.publicKeyFile) as Uint8Array),
          fingerprint: body.fingerprint,
          signatureAlgorithm: body.signatureAlgorithm,
          ...policy,
        };
  const { key, secret } = await ra.createEabKey(db(), o.alias, input, changedBy(o.actor));
  return { key: toView(o.alias, key, await namesOf([key]), new Date()), secret };
}

export type InspectedEabPublicKey = Omit<ra.InspectedPublicKey, "pem">;

/** What an uploaded certificate or public key holds, for the form to show before it is stored. */
export async function inspectEabPublicKey(o: {
  actor: ConsoleActor;
  input: unknown;
}): Promise<InspectedEabPublicKey> {
  assertPermission(o.actor, "eab.manage");
  const parsed = inspectEabPublicKeyBodySchema.safeParse(o.input);
  if (!parsed.success) throw zodProblem(parsed.error);
  const { publicKey, publicKeyFile } = parsed.data;
  const { pem: _pem, ...inspected } = ra.inspectEabPublicKey(
    publicKey ?? (decodeFile(publicKeyFile) as Uint8Array),
    publicKey === undefined ? "publicKeyFile" : "publicKey",
  );
  return inspected;
}

/** Disables a key (or enables it again). */
export async function updateEabKey(o: {
  actor: ConsoleActor;
  alias: string;
  id: string;
  input: unknown;
}): Promise<EabKeyView> {
  assertPermission(o.actor, "eab.manage");
  const parsed = updateEabKeyBodySchema.safeParse(o.input);
  if (!parsed.success) throw zodProblem(parsed.error);
  const key = await ra.setEabKeyDisabled(db(), o.alias, o.id, parsed.data.disabled, changedBy(o.actor));
  return toView(o.alias, key, await namesOf([key]), new Date());
}

export async function deleteEabKey(o: { actor: ConsoleActor; alias: string; id: string }): Promise<void> {
  assertPermission(o.actor, "eab.manage");
  await ra.deleteEabKey(db(), o.alias, o.id, changedBy(o.actor));
}
