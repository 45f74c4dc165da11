// PEM encoding of DER certificates (RFC 7468 §2: base64 in lines of 64 characters), and their
// SHA-256 fingerprints.
import { createHash } from "node:crypto";

/** Lowercase hex SHA-256 of a certificate's DER: the fingerprint operators compare. */
export function sha256Hex(der: Uint8Array): string {
  return createHash("sha256").update(der).digest("hex");
}

export function derToPem(der: Uint8Array, label = "CERTIFICATE"): string {
  const b64 = Buffer.from(der).toString("base64");
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----\n`;
}

const CERTIFICATE_BLOCK = /-----BEGIN CERTIFICATE-----([^-]*)-----END CERTIFICATE-----/g;

/**
 * The DER of every CERTIFICATE block in `text`, in order (RFC 7468 §5.1, lax about whitespace as
 * §3 allows), or null when there is none or a block is not base64. Other blocks (a private key
 * pasted along) are ignored: callers say how many certificates they expect.
 */
export function certificatesFromPem(text: string): Uint8Array<ArrayBuffer>[] | null {
  const ders: Uint8Array<ArrayBuffer>[] = [];
  for (const match of text.matchAll(CERTIFICATE_BLOCK)) {
    const b64 = (match[1] ?? "").replace(/\s+/g, "");
    if (b64 === "" || !/^[A-Za-z0-9+/]+={0,2}$/.test(b64)) return null;
    ders.push(new Uint8Array(Buffer.from(b64, "base64")));
  }
  return ders.length > 0 ? ders : null;
}
