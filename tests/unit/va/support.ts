// Test doubles for the validation authority's tests: a scripted DNS server (for answers
// pebble-challtestsrv never gives: NXDOMAIN, SERVFAIL, AD set, truncation, CNAME chains, garbage)
// and self-signed certificates made through lib/crypto/x509.ts. Loopback only.
import { webcrypto } from "node:crypto";
import dgram from "node:dgram";
import net from "node:net";
import * as dnsPacket from "dns-packet";
import {
  Extension,
  type JsonGeneralName,
  SubjectAlternativeNameExtension,
  X509CertificateGenerator,
} from "@/lib/crypto/x509";

// ---- scripted DNS server ----

export type DnsQuestion = {
  id: number;
  name: string;
  type: dnsPacket.RecordType;
  /** The header flags word without QR (dns-packet's `flags`): RD, AD… */
  flags: number;
  transport: "udp" | "tcp";
  /** The whole query as dns-packet decoded it (the OPT record is in `additionals`). */
  message: dnsPacket.DecodedPacket;
};
export type FakeReply = {
  rcode?: number;
  authenticatedData?: boolean;
  truncated?: boolean;
  /** Answer records; ttl defaults to 60. */
  answers?: dnsPacket.Answer[];
  /** RFC 8914 Extended DNS Error in an OPT record. */
  extendedError?: { infoCode: number; text: string };
};

function parseQuestion(raw: Buffer, transport: "udp" | "tcp"): DnsQuestion {
  const message = dnsPacket.decode(raw);
  const [question] = message.questions ?? [];
  return {
    id: message.id ?? 0,
    flags: message.flags ?? 0,
    name: question?.name ?? "",
    type: question?.type ?? "A",
    transport,
    message,
  };
}

/** A response to `question` (RD and RA set, the question echoed), as dns-packet encodes it. */
export function buildReply(question: DnsQuestion, reply: FakeReply): Buffer {
  const additionals: dnsPacket.Answer[] = [];
  if (reply.extendedError) {
    const data = Buffer.concat([Buffer.alloc(2), Buffer.from(reply.extendedError.text)]);
    data.writeUInt16BE(reply.extendedError.infoCode, 0);
    additionals.push({
      type: "OPT",
      name: ".",
      udpPayloadSize: 1232,
      extendedRcode: 0,
      ednsVersion: 0,
      flags: 0,
      flag_do: false,
      // @types/dns-packet lists only the option codes dns-packet interprets; 15 is RFC 8914 §2's.
      options: [{ code: 15, data } as unknown as dnsPacket.PacketOpt],
    });
  }
  return dnsPacket.encode({
    type: "response",
    id: question.id,
    flags:
      dnsPacket.RECURSION_DESIRED |
      dnsPacket.RECURSION_AVAILABLE |
      (reply.truncated ? dnsPacket.TRUNCATED_RESPONSE : 0) |
      (reply.authenticatedData ? dnsPacket.AUTHENTIC_DATA : 0) |
      ((reply.rcode ?? 0) & 0xf),
    questions: [{ name: question.name, type: question.type, class: "IN" }],
    answers: (reply.answers ?? []).map((answer) => ({ ttl: 60, ...answer })),
    additionals,
  });
}

export type FakeDnsServer = { port: number; queries: DnsQuestion[]; close: () => Promise<void> };

/**
 * UDP and TCP on one loopback port. `answer` returns a reply to build, raw bytes to send as is,
 * or null to stay silent.
 */
export async function startFakeDnsServer(
  answer: (q: DnsQuestion) => FakeReply | Buffer | null,
): Promise<FakeDnsServer> {
  const queries: DnsQuestion[] = [];
  const respond = (raw: Buffer, transport: "udp" | "tcp") => {
    const question = parseQuestion(raw, transport);
    queries.push(question);
    const reply = answer(question);
    if (reply === null) return null;
    return Buffer.isBuffer(reply) ? reply : buildReply(question, reply);
  };
  const tcp = net.createServer((socket) => {
    let buffered = Buffer.alloc(0);
    // RFC 1035 §4.2.2: each message behind a two-octet length.
    socket.on("data", (chunk) => {
      buffered = Buffer.concat([buffered, chunk]);
      if (buffered.length < 2 || buffered.length < 2 + buffered.readUInt16BE(0)) return;
      const response = respond(buffered.subarray(2, 2 + buffered.readUInt16BE(0)), "tcp");
      if (!response) return;
      const length = Buffer.alloc(2);
      length.writeUInt16BE(response.length, 0);
      socket.end(Buffer.concat([length, response]));
    });
    socket.on("error", () => {});
  });
  await new Promise<void>((resolve) => tcp.listen(0, "127.0.0.1", resolve));
  const port = (tcp.address() as net.AddressInfo).port;
  const udp = dgram.createSocket("udp4");
  udp.on("message", (raw, remote) => {
    const response = respond(raw, "udp");
    if (response) udp.send(response, remote.port, remote.address);
  });
  await new Promise<void>((resolve, reject) => {
    udp.once("error", reject);
    udp.bind(port, "127.0.0.1", () => resolve());
  });
  return {
    port,
    queries,
    close: async () => {
      await new Promise<void>((resolve) => udp.close(() => resolve()));
      await new Promise<void>((resolve) => tcp.close(() => resolve()));
    },
  };
}

// ---- certificates ----

const ECDSA_P256 = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" } as const;

export type TestCertificate = { cert: string; key: string };

/** A self-signed certificate with the given SANs and extra extensions, as PEM for node:tls. */
export async function makeSelfSignedCertificate(options: {
  subjectAltNames: JsonGeneralName[];
  extensions?: Extension[];
}): Promise<TestCertificate> {
  const keys = (await webcrypto.subtle.generateKey(ECDSA_P256, true, ["sign", "verify"])) as CryptoKeyPair;
  const certificate = await X509CertificateGenerator.createSelfSigned({
    serialNumber: "01",
    name: "CN=keyward va test",
    keys,
    signingAlgorithm: ECDSA_P256,
    notBefore: new Date(Date.now() - 60_000),
    notAfter: new Date(Date.now() + 86_400_000),
    extensions: [new SubjectAlternativeNameExtension(options.subjectAltNames), ...(options.extensions ?? [])],
  });
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey("pkcs8", keys.privateKey));
  const key = `-----BEGIN PRIVATE KEY-----\n${pkcs8
    .toString("base64")
    .replace(/(.{64})/g, "$1\n")
    .replace(/\n$/, "")}\n-----END PRIVATE KEY-----\n`;
  return { cert: certificate.toString("pem"), key };
}

/** The acmeIdentifier extension of RFC 8737 §3: extnValue = DER OCTET STRING of the digest. */
export function acmeIdentifierExtension(digest: Buffer, critical = true): Extension {
  const der = Buffer.concat([Buffer.from([0x04, digest.length]), digest]);
  return new Extension("1.3.6.1.5.5.7.1.31", critical, new Uint8Array(der));
}
