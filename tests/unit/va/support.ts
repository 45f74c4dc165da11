// Test doubles for the validation authority's tests: a scripted DNS server (for answers
// pebble-challtestsrv never gives: NXDOMAIN, SERVFAIL, AD set, truncation, CNAME chains, garbage)
// and self-signed certificates made through lib/ca/x509.ts. Loopback only.
import { webcrypto } from "node:crypto";
import dgram from "node:dgram";
import net from "node:net";
import {
  Extension,
  type JsonGeneralName,
  SubjectAlternativeNameExtension,
  X509CertificateGenerator,
} from "@/lib/ca/x509";

// ---- scripted DNS server ----

export type DnsQuestion = {
  id: number;
  name: string;
  type: number;
  flags: number;
  transport: "udp" | "tcp";
  raw: Buffer;
};
export type FakeAnswer = { name: string; type: number; data: Buffer; ttl?: number };
export type FakeReply = {
  rcode?: number;
  authenticatedData?: boolean;
  truncated?: boolean;
  answers?: FakeAnswer[];
  /** RFC 8914 Extended DNS Error in an OPT record. */
  extendedError?: { infoCode: number; text: string };
};

export const TYPE = { A: 1, CNAME: 5, TXT: 16, AAAA: 28, OPT: 41, CAA: 257 } as const;

export function encodeName(name: string): Buffer {
  const parts = name
    .replace(/\.$/, "")
    .split(".")
    .filter(Boolean)
    .flatMap((label) => [Buffer.from([label.length]), Buffer.from(label, "ascii")]);
  return Buffer.concat([...parts, Buffer.from([0])]);
}

export const rdata = {
  a: (ip: string) => Buffer.from(ip.split(".").map(Number)),
  txt: (...strings: string[]) =>
    Buffer.concat(strings.flatMap((s) => [Buffer.from([Buffer.byteLength(s)]), Buffer.from(s)])),
  cname: (target: string) => encodeName(target),
};

function parseQuestion(raw: Buffer, transport: "udp" | "tcp"): DnsQuestion {
  const labels: string[] = [];
  let offset = 12;
  for (let guard = 0; guard < 128; guard++) {
    const length = raw.readUInt8(offset);
    offset += 1;
    if (length === 0) break;
    labels.push(raw.toString("ascii", offset, offset + length));
    offset += length;
  }
  return {
    id: raw.readUInt16BE(0),
    flags: raw.readUInt16BE(2),
    name: labels.join("."),
    type: raw.readUInt16BE(offset),
    transport,
    raw: Buffer.from(raw),
  };
}

export function buildReply(question: DnsQuestion, reply: FakeReply): Buffer {
  const header = Buffer.alloc(12);
  header.writeUInt16BE(question.id, 0);
  const flags =
    0x8000 |
    0x0100 |
    0x0080 |
    (reply.truncated ? 0x0200 : 0) |
    (reply.authenticatedData ? 0x0020 : 0) |
    ((reply.rcode ?? 0) & 0xf);
  header.writeUInt16BE(flags, 2);
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(reply.answers?.length ?? 0, 6);
  header.writeUInt16BE(reply.extendedError ? 1 : 0, 10);
  const questionType = Buffer.alloc(4);
  questionType.writeUInt16BE(question.type, 0);
  questionType.writeUInt16BE(1, 2);
  const answers = (reply.answers ?? []).map((a) => {
    const fixed = Buffer.alloc(10);
    fixed.writeUInt16BE(a.type, 0);
    fixed.writeUInt16BE(1, 2);
    fixed.writeUInt32BE(a.ttl ?? 60, 4);
    fixed.writeUInt16BE(a.data.length, 8);
    return Buffer.concat([encodeName(a.name), fixed, a.data]);
  });
  const additional: Buffer[] = [];
  if (reply.extendedError) {
    const text = Buffer.from(reply.extendedError.text);
    const option = Buffer.alloc(6);
    option.writeUInt16BE(15, 0);
    option.writeUInt16BE(2 + text.length, 2);
    option.writeUInt16BE(reply.extendedError.infoCode, 4);
    const opt = Buffer.alloc(11);
    opt.writeUInt16BE(41, 1);
    opt.writeUInt16BE(1232, 3);
    opt.writeUInt16BE(6 + text.length, 9);
    additional.push(opt, option, text);
  }
  return Buffer.concat([header, encodeName(question.name), questionType, ...answers, ...additional]);
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
