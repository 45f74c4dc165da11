// Secrets at rest (CA private keys, the nonce key, later EAB keys) are sealed with AES-256-GCM
// under the deployment's master key. Layout: version byte (1) ‖ 12-byte IV ‖ 16-byte tag ‖ ciphertext.
// The `context` string is bound as additional authenticated data, so a sealed value cannot be
// moved to another purpose (a nonce key pasted into a CA row fails to open).
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";

const VERSION = 1;
const IV_BYTES = 12; // NIST SP 800-38D recommended IV length for GCM
const TAG_BYTES = 16;

export class SecretBox {
  readonly #key: Buffer;

  constructor(masterKey: Buffer) {
    if (masterKey.length !== 32) throw new Error("master key must be 32 bytes (AES-256)");
    this.#key = Buffer.from(masterKey);
  }

  /** Returns a plain Uint8Array (what Prisma's Bytes columns take). */
  seal(plaintext: Uint8Array, context: string): Uint8Array<ArrayBuffer> {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv("aes-256-gcm", this.#key, iv);
    cipher.setAAD(Buffer.from(context, "utf8"));
    const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return new Uint8Array(Buffer.concat([Buffer.of(VERSION), iv, cipher.getAuthTag(), body]));
  }

  open(sealed: Uint8Array, context: string): Buffer {
    const buf = Buffer.from(sealed);
    if (buf.length < 1 + IV_BYTES + TAG_BYTES || buf[0] !== VERSION) {
      throw new Error("sealed secret has an unknown format");
    }
    const iv = buf.subarray(1, 1 + IV_BYTES);
    const tag = buf.subarray(1 + IV_BYTES, 1 + IV_BYTES + TAG_BYTES);
    const decipher = createDecipheriv("aes-256-gcm", this.#key, iv);
    decipher.setAAD(Buffer.from(context, "utf8"));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(buf.subarray(1 + IV_BYTES + TAG_BYTES)), decipher.final()]);
  }
}
