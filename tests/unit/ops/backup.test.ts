// The master key's sealing in a backup (lib/ops/backup.ts): opens only with its passphrase,
// refuses an archive that changed it, and refuses scrypt parameters that would exhaust memory.
import { randomBytes } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import {
  type BackupManifest,
  backupManifestSchema,
  masterKeyCheck,
  openMasterKey,
  sealMasterKey,
} from "@/lib/ops/backup";

const PASSPHRASE = "a passphrase of some length";
// scrypt at the archive's cost (128 MiB) takes 0.4 s idle, seconds on a loaded 2-core machine.

function manifestWith(key: Buffer, sealed: BackupManifest["masterKey"]): BackupManifest {
  return backupManifestSchema.parse({
    format: "keyward-backup",
    formatVersion: 1,
    keywardVersion: "0.1.0",
    createdAt: new Date().toISOString(),
    database: "postgresql",
    migrations: [],
    tables: [],
    sequences: [],
    caCertificates: [],
    lastCrlNumbers: [],
    masterKeyCheck: masterKeyCheck(key),
    masterKey: sealed,
  });
}

describe("the master key sealed in a backup", () => {
  const key = randomBytes(32);
  let sealed: NonNullable<BackupManifest["masterKey"]>;
  beforeAll(async () => {
    sealed = await sealMasterKey(key, PASSPHRASE);
  }, 30_000);

  it("ok/opens with its passphrase; its check value names the key without being it", async () => {
    const manifest = manifestWith(key, sealed);
    expect((await openMasterKey(manifest, PASSPHRASE)).equals(key)).toBe(true);
    expect(manifest.masterKeyCheck).toMatch(/^[0-9a-f]{32}$/);
    expect(manifest.masterKeyCheck).not.toBe(masterKeyCheck(randomBytes(32)));
    expect(JSON.stringify(manifest)).not.toContain(key.toString("base64"));
  }, 30_000);

  it("fail/a wrong passphrase, a changed ciphertext, a key that is not the checked one, no key at all", async () => {
    await expect(openMasterKey(manifestWith(key, sealed), `${PASSPHRASE} `)).rejects.toThrow(
      /Wrong passphrase/,
    );

    const flipped = Buffer.from(sealed.ciphertext, "base64");
    flipped[0] = (flipped[0] ?? 0) ^ 1;
    const changed = { ...sealed, ciphertext: flipped.toString("base64") };
    await expect(openMasterKey(manifestWith(key, changed), PASSPHRASE)).rejects.toThrow(/Wrong passphrase/);

    // Sealed properly, but the manifest names another key: the archive was put together.
    await expect(openMasterKey(manifestWith(randomBytes(32), sealed), PASSPHRASE)).rejects.toThrow(
      /does not match its check value/,
    );
    await expect(openMasterKey(manifestWith(key, null), PASSPHRASE)).rejects.toThrow(
      /does not contain the master key/,
    );
  }, 30_000);

  it("fail/scrypt parameters beyond the bounds: refused by the manifest's schema or before deriving", async () => {
    expect(() => manifestWith(key, { ...sealed, n: 2 ** 21 })).toThrow();
    expect(() => manifestWith(key, { ...sealed, r: 64 })).toThrow();
    const started = Date.now();
    await expect(
      openMasterKey(manifestWith(key, { ...sealed, n: 2 ** 20, r: 32 }), PASSPHRASE),
    ).rejects.toThrow(/beyond 1 GiB/);
    expect(Date.now() - started).toBeLessThan(1000);
  }, 30_000);
});
