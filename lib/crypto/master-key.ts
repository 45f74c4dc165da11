// The master key that seals every secret at rest: KEYWARD_MASTER_KEY (base64, 32 bytes), or a key
// file (KEYWARD_MASTER_KEY_FILE, default <data dir>/master.key) created with mode 0600 on first use.
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { env } from "@/lib/env";
import { SecretBox } from "./secret-box";

function decodeKey(text: string, where: string): Buffer {
  const key = Buffer.from(text.trim(), "base64");
  if (key.length !== 32) throw new Error(`${where} must hold base64 of exactly 32 bytes`);
  return key;
}

export function loadMasterKey(): Buffer {
  const e = env();
  if (e.KEYWARD_MASTER_KEY) return decodeKey(e.KEYWARD_MASTER_KEY, "KEYWARD_MASTER_KEY");
  const file = e.KEYWARD_MASTER_KEY_FILE ?? path.join(e.dataDir, "master.key");
  if (!fs.existsSync(file)) {
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    // "wx": never overwrite a key another process created meanwhile.
    try {
      fs.writeFileSync(file, `${randomBytes(32).toString("base64")}\n`, { mode: 0o600, flag: "wx" });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    }
  }
  const mode = fs.statSync(file).mode & 0o077;
  if (mode !== 0) throw new Error(`${file} is readable by group or others; chmod 600 it`);
  return decodeKey(fs.readFileSync(file, "utf8"), file);
}

let box: SecretBox | undefined;
export function secretBox(): SecretBox {
  box ??= new SecretBox(loadMasterKey());
  return box;
}

/** Where the master key is configured, for messages: the variable or the key file's path. */
export function masterKeyLocation(): string {
  const e = env();
  if (e.KEYWARD_MASTER_KEY) return "KEYWARD_MASTER_KEY";
  return e.KEYWARD_MASTER_KEY_FILE ?? path.join(e.dataDir, "master.key");
}

/**
 * The configured master key, or null when there is none yet. Unlike loadMasterKey it never
 * creates one: backup and restore must not mint a key that seals nothing.
 */
export function readMasterKeyIfPresent(): Buffer | null {
  const e = env();
  if (e.KEYWARD_MASTER_KEY) return decodeKey(e.KEYWARD_MASTER_KEY, "KEYWARD_MASTER_KEY");
  const file = masterKeyLocation();
  if (!fs.existsSync(file)) return null;
  return loadMasterKey();
}

/**
 * Writes `key` as the key file (mode 0600, its directory 0700) where loadMasterKey will read it.
 * Never overwrites: a key file that appeared meanwhile makes this throw.
 */
export function installMasterKeyFile(key: Buffer): string {
  if (key.length !== 32) throw new Error("master key must be 32 bytes (AES-256)");
  const e = env();
  if (e.KEYWARD_MASTER_KEY) throw new Error("KEYWARD_MASTER_KEY is set: no key file is used");
  const file = masterKeyLocation();
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  fs.writeFileSync(file, `${key.toString("base64")}\n`, { mode: 0o600, flag: "wx" });
  return file;
}
