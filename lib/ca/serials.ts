// Certificate serial numbers. CA/B BR §7.1: "CAs SHALL generate non-sequential Certificate serial
// numbers greater than zero (0) and less than 2^159 containing at least 64 bits of output from a
// CSPRNG". RFC 5280 §4.1.2.2: a positive INTEGER of at most 20 octets, unique per issuer.
import { randomBytes } from "node:crypto";

// 16 bytes = 128 bits drawn, of which 126 stay random after fixing the two top bits below:
// twice the BR minimum, and small enough that the DER INTEGER never needs a 17th octet.
export const SERIAL_NUMBER_BYTES = 16;

/**
 * A fresh serial number as 32 lowercase hex digits.
 *
 * The top bit is cleared so the DER INTEGER is positive without a leading 0x00 octet
 * (RFC 5280 §4.1.2.2). The next bit is set so the value is never zero and its first octet is never
 * 0x00, which would make the encoding non-minimal (X.690 §8.3.2) and the hex ambiguous against
 * what parsers print; every serial therefore has the same length.
 */
export function generateSerialNumberHex(): string {
  const bytes = randomBytes(SERIAL_NUMBER_BYTES);
  bytes[0] = ((bytes[0] ?? 0) & 0x7f) | 0x40;
  return bytes.toString("hex");
}
