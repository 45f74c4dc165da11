// tls-alpn-01 (RFC 8737, and RFC 8738 §6 for IP identifiers): a TLS handshake offering only the
// ALPN protocol "acme-tls/1" must return a certificate that names exactly the identifier and
// carries the SHA-256 of the key authorization in a critical acmeIdentifier extension.
import net from "node:net";
import tls from "node:tls";
import { type Extension, SubjectAlternativeNameExtension, X509Certificate } from "@/lib/crypto/x509";
import { canonicalIpAddress } from "@/lib/names";
import { AcmeProblem, isAcmeProblem } from "@/lib/problem";
import { attemptConnection, ConnectFailure, tlsFailureReason, withFirstReachableAddress } from "./connection";
import { tlsAlpn01Digest } from "./key-authorization";
import type { ValidationOutcome, ValidationRecord } from "./outcome";
import { addressesToConnect, type DnsResolverSettings, reverseDnsName } from "./resolver";

/** RFC 8737 §6.2: the ALPN protocol ID registered for the challenge. */
export const ACME_TLS_ALPN_PROTOCOL = "acme-tls/1";
/** RFC 8737 §6.1: id-pe-acmeIdentifier ::= { id-pe 31 }. */
export const ACME_IDENTIFIER_OID = "1.3.6.1.5.5.7.1.31";
export const TLS_ALPN01_TIMEOUT_MS = 10_000;

export type TlsAlpn01Options = {
  identifier: { type: "dns" | "ip"; value: string };
  keyAuthorization: string;
  /** RFC 8737 §3: port 443; configurable (KEYWARD_VA_TLSALPN01_PORT) for unprivileged tests. */
  port: number;
  dns: DnsResolverSettings;
  timeoutMs?: number;
};

type Handshake = { alpnProtocol: string | null; certificateDer: Buffer | null };

export async function validateTlsAlpn01(options: TlsAlpn01Options): Promise<ValidationOutcome> {
  const deadline = Date.now() + (options.timeoutMs ?? TLS_ALPN01_TIMEOUT_MS);
  const { identifier } = options;
  // RFC 8737 §3 step 3: SNI is the domain name; RFC 8738 §6: for an IP identifier, its reverse
  // mapping name, since RFC 6066 §3 forbids IP literals in SNI.
  const sni = identifier.type === "ip" ? reverseDnsName(identifier.value) : identifier.value;
  const record: ValidationRecord = {
    challengeType: "tls-alpn-01",
    hostname: identifier.value,
    port: options.port,
    sni,
  };
  const records = [record];

  try {
    // RFC 8737 §3 step 1: the expected digest.
    const expectedDigest = tlsAlpn01Digest(options.keyAuthorization);

    // Step 2: resolve the name and choose an address (IPv6 first, IPv4 as fallback, like http-01);
    // validate.ts has made sure an "ip" identifier is an address and a "dns" one is not.
    const addresses = await addressesToConnect(identifier.value, options.dns, record, deadline);

    // Step 3: TLS to the address, ALPN "acme-tls/1" only, SNI as above.
    const handshake = await handshakeWithFirstReachable(addresses, options.port, sni, record, deadline);
    const where = `${record.addressUsed}:${options.port}`;

    // Step 4a: acme-tls/1 was negotiated (the ServerHello carried it).
    record.alpnProtocol = handshake.alpnProtocol;
    if (handshake.alpnProtocol !== ACME_TLS_ALPN_PROTOCOL) {
      throw new AcmeProblem(
        "incorrectResponse",
        `${where}: Cannot negotiate ALPN protocol "${ACME_TLS_ALPN_PROTOCOL}" for tls-alpn-01 challenge (server selected ${handshake.alpnProtocol ? `"${handshake.alpnProtocol}"` : "no protocol"})`,
      );
    }
    if (!handshake.certificateDer) {
      throw new AcmeProblem(
        "incorrectResponse",
        `${where}: No certificate was presented for the tls-alpn-01 challenge`,
      );
    }
    let certificate: X509Certificate;
    try {
      certificate = new X509Certificate(new Uint8Array(handshake.certificateDer));
    } catch {
      throw new AcmeProblem("incorrectResponse", `${where}: The tls-alpn-01 certificate could not be parsed`);
    }
    // RFC 8737 §3 asks the client for a self-signed certificate but the server's steps do not check
    // the signature or chain (Boulder does not either): the proof is the digest, which only the
    // account key holder can compute, in a certificate served on the name.
    checkSubjectAltName(certificate, identifier, record, where);
    checkAcmeIdentifier(certificate, expectedDigest, where);
    return { valid: true, records };
  } catch (err) {
    if (isAcmeProblem(err)) return { valid: false, problem: err, records };
    throw err;
  }
}

/**
 * RFC 8737 §3 step 4: "a subjectAltName extension containing the dNSName being validated and no
 * other entries", compared case-insensitively (RFC 4343); RFC 8738 §6: for an IP identifier, a
 * single iPAddress entry equal to the address.
 */
function checkSubjectAltName(
  certificate: X509Certificate,
  identifier: { type: "dns" | "ip"; value: string },
  record: ValidationRecord,
  where: string,
): void {
  let names: { type: string; value: string }[];
  try {
    const extension = certificate.getExtension(SubjectAlternativeNameExtension);
    names = extension ? extension.names.items.map((n) => ({ type: n.type, value: n.value })) : [];
  } catch {
    throw new AcmeProblem(
      "incorrectResponse",
      `${where}: The tls-alpn-01 certificate's subjectAltName could not be parsed`,
    );
  }
  record.certificateSubjectAltNames = names.map((n) => `${n.type}:${n.value}`);
  const [only] = names;
  const matches =
    names.length === 1 &&
    only !== undefined &&
    (identifier.type === "dns"
      ? only.type === "dns" && only.value.toLowerCase() === identifier.value.toLowerCase()
      : only.type === "ip" && canonicalIpAddress(only.value) === canonicalIpAddress(identifier.value));
  if (!matches) {
    const expected = `${identifier.type === "dns" ? "dNSName" : "iPAddress"} ${identifier.value}`;
    const seen = names.length ? names.map((n) => `${n.type}:${n.value}`).join(", ") : "none";
    throw new AcmeProblem(
      "incorrectResponse",
      `${where}: Incorrect validation certificate for tls-alpn-01 challenge: it must have exactly one subjectAltName, ${expected} (found ${seen})`,
    );
  }
}

/**
 * RFC 8737 §3: the acmeIdentifier extension "MUST be critical", and its extnValue is the DER of
 * Authorization ::= OCTET STRING (SIZE (32)) holding SHA-256(key authorization): 04 20 <digest>.
 */
function checkAcmeIdentifier(certificate: X509Certificate, expectedDigest: Buffer, where: string): void {
  const extensions: Extension[] = certificate.extensions.filter((e) => e.type === ACME_IDENTIFIER_OID);
  const [extension] = extensions;
  if (!extension) {
    throw new AcmeProblem(
      "incorrectResponse",
      `${where}: Incorrect validation certificate for tls-alpn-01 challenge: missing the acmeIdentifier extension (${ACME_IDENTIFIER_OID})`,
    );
  }
  // RFC 5280 §4.2: a certificate MUST NOT include more than one instance of an extension.
  if (extensions.length > 1) {
    throw new AcmeProblem(
      "incorrectResponse",
      `${where}: Incorrect validation certificate for tls-alpn-01 challenge: more than one acmeIdentifier extension`,
    );
  }
  if (!extension.critical) {
    throw new AcmeProblem(
      "incorrectResponse",
      `${where}: Incorrect validation certificate for tls-alpn-01 challenge: the acmeIdentifier extension is not critical`,
    );
  }
  const value = Buffer.from(extension.value);
  const expected = Buffer.concat([Buffer.from([0x04, expectedDigest.length]), expectedDigest]);
  if (!value.equals(expected)) {
    const seen =
      value.length === 34 && value[0] === 0x04 && value[1] === 0x20
        ? value.subarray(2).toString("hex")
        : `DER ${value.toString("hex").slice(0, 80)}`;
    throw new AcmeProblem(
      "incorrectResponse",
      `${where}: Incorrect validation certificate for tls-alpn-01 challenge: expected acmeIdentifier value ${expectedDigest.toString("hex")} for this challenge but got ${seen}`,
    );
  }
}

function handshakeWithFirstReachable(
  addresses: string[],
  port: number,
  sni: string,
  record: ValidationRecord,
  deadline: number,
): Promise<Handshake> {
  return withFirstReachableAddress({
    addresses,
    record,
    deadline,
    attempt: (address, connectDeadline) => performHandshake(address, port, sni, deadline, connectDeadline),
    toProblem: (err, address) =>
      err instanceof ConnectFailure
        ? new AcmeProblem("connection", `${address}:${port}: ${err.message}`)
        : new AcmeProblem(
            "tls",
            `${address}:${port}: TLS handshake for tls-alpn-01 challenge failed: ${(err as Error).message}`,
          ),
    noAddressDetail: "No addresses to connect to",
  });
}

function performHandshake(
  address: string,
  port: number,
  sni: string,
  deadline: number,
  connectDeadline: number,
): Promise<Handshake> {
  return attemptConnection<Handshake>({
    connectDeadline,
    deadline,
    afterConnectTimeout: "Timeout during the TLS handshake",
    describeError: (err) => new Error(tlsFailureReason(err)),
    open: (events) => {
      const socket = tls.connect({
        host: address,
        port,
        // RFC 8737 §3 step 3: the single protocol "acme-tls/1"; §4: TLS 1.2 or later only.
        ALPNProtocols: [ACME_TLS_ALPN_PROTOCOL],
        servername: net.isIP(sni) ? undefined : sni,
        minVersion: "TLSv1.2",
        // The certificate is self-signed by design; it is checked field by field above.
        rejectUnauthorized: false,
      });
      socket.once("connect", events.connected);
      socket.on("error", events.socketError);
      socket.once("secureConnect", () => {
        const peer = socket.getPeerCertificate();
        events.succeed({
          alpnProtocol: typeof socket.alpnProtocol === "string" ? socket.alpnProtocol : null,
          certificateDer: peer && Buffer.isBuffer(peer.raw) ? peer.raw : null,
        });
      });
      return socket;
    },
  });
}
