// A small stub DNS client (RFC 1035 messages over UDP, TCP when truncated) so the validation
// authority asks exactly the resolver an alias names, on the port it names, and sees the header
// flags. node:dns's Resolver can be pointed at an address and port, but it cannot set DO or AD in
// the query, hides the AD bit of the answer (which dns-01 needs when an alias requires DNSSEC),
// and reports rcodes and Extended DNS Errors only as opaque error codes. Messages are encoded and
// decoded by dns-packet; the exchange (sockets, deadlines, retries, TCP fallback) is ours.
//
// We do not validate DNSSEC ourselves: like every stub resolver we ask a validating recursive
// resolver (the alias's dnsResolver, configured with the alias's trust anchor) and read the AD bit
// it sets on answers it authenticated (RFC 4035 §3.2.3, RFC 6840 §5.7). RFC 4035 §4.9.3 notes the
// AD bit is only as trustworthy as the path to that resolver, so the resolver belongs on loopback
// or a network the CA controls.
//
// Everything is bounded: one message of at most 65 535 octets, a timeout per attempt, a fixed
// number of attempts, compression pointers that must point backwards, CNAME chains of fixed length.
import { randomInt } from "node:crypto";
import dgram from "node:dgram";
import { readFile } from "node:fs/promises";
import net from "node:net";
import * as dnsPacket from "dns-packet";
import { canonicalIpAddress, MAX_DNS_NAME_LENGTH, MAX_LABEL_LENGTH, normalizeDnsName } from "@/lib/names";

/** What the validators ask for, and CAA (RFC 8659) for lib/va/caa.ts. */
export type DnsQueryType = "A" | "AAAA" | "CNAME" | "TXT" | "CAA";

/** RFC 8914 §2: Extended DNS Error option code. */
const EDNS_OPTION_EDE = 15;

/** DNS Flag Day 2020's recommended EDNS buffer size: avoids IP fragmentation; larger answers come over TCP. */
const EDNS_UDP_PAYLOAD_BYTES = 1232;
/** More CNAME hops than any sane zone uses; bounds following a chain inside one answer. */
const MAX_CNAME_CHAIN = 16;

/** Per attempt. Boulder's VA uses 10 s for a whole lookup with retries; two attempts of 5 s match it. */
export const DNS_QUERY_TIMEOUT_MS = 5_000;
export const DNS_QUERY_ATTEMPTS = 2;

const RCODE_NAMES: Record<number, string> = {
  0: "NOERROR",
  1: "FORMERR",
  2: "SERVFAIL",
  3: "NXDOMAIN",
  4: "NOTIMP",
  5: "REFUSED",
  16: "BADVERS",
};
export const RCODE_NOERROR = 0;
export const RCODE_NXDOMAIN = 3;

export function rcodeName(rcode: number): string {
  return RCODE_NAMES[rcode] ?? `RCODE${rcode}`;
}

export type DnsServer = { address: string; port: number };

export type DnsRecord =
  | { type: "A" | "AAAA"; name: string; ttl: number; address: string }
  | { type: "CNAME"; name: string; ttl: number; target: string }
  | { type: "TXT"; name: string; ttl: number; strings: string[]; text: string }
  // RFC 8659 §4.1: flags (bit 0, value 128, is "issuer critical"), a tag, a value.
  | { type: "CAA"; name: string; ttl: number; flags: number; tag: string; value: string };

export type DnsResponse = {
  name: string;
  type: DnsQueryType;
  server: DnsServer;
  transport: "udp" | "tcp";
  rcode: number;
  rcodeName: string;
  /** The header AD bit: the resolver validated every RRset in the answer (RFC 4035 §3.2.3). */
  authenticatedData: boolean;
  /** Records of the asked type owned by the name at the end of the CNAME chain. */
  records: DnsRecord[];
  /** Targets of the CNAMEs followed from the question name, in order. */
  cnameChain: string[];
  /** RFC 8914 Extended DNS Errors, e.g. 6 "DNSSEC Bogus". */
  extendedErrors: { infoCode: number; text: string }[];
};

export type DnsQueryErrorKind = "invalidName" | "timeout" | "network" | "malformed";

/** A query that produced no usable response. An rcode such as NXDOMAIN is a response, not an error. */
export class DnsQueryError extends Error {
  readonly kind: DnsQueryErrorKind;
  constructor(kind: DnsQueryErrorKind, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "DnsQueryError";
    this.kind = kind;
  }
}

export type DnsQueryOptions = {
  server: DnsServer;
  timeoutMs?: number;
  attempts?: number;
  /** Set AD in the query (RFC 6840 §5.7) so a validating resolver reports authentication. */
  requestAuthenticatedData?: boolean;
  /** Epoch ms after which no attempt starts and every attempt is cut short (the caller's budget). */
  deadline?: number;
};

/** Ask one question of one resolver. Throws DnsQueryError when no response could be had. */
export async function queryDns(
  name: string,
  type: DnsQueryType,
  options: DnsQueryOptions,
): Promise<DnsResponse> {
  const timeoutMs = options.timeoutMs ?? DNS_QUERY_TIMEOUT_MS;
  const attempts = Math.max(1, options.attempts ?? DNS_QUERY_ATTEMPTS);
  const questionName = normalizeDnsName(name);
  assertQueryableName(questionName); // refuse a bad name before any packet leaves

  let lastError: DnsQueryError | undefined;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const remainingMs =
      options.deadline === undefined ? timeoutMs : Math.min(timeoutMs, options.deadline - Date.now());
    if (remainingMs <= 0) {
      lastError ??= new DnsQueryError("timeout", `no time left to query ${formatDnsServer(options.server)}`);
      break;
    }
    const id = randomInt(0, 0x10000);
    const query = queryMessage(id, questionName, type, options.requestAuthenticatedData ?? false);
    try {
      let transport: "udp" | "tcp" = "udp";
      let message = parseMessage(
        await exchangeUdp(query, options.server, remainingMs, id),
        id,
        questionName,
        type,
      );
      // RFC 1035 §4.2.1 / RFC 7766 §5: a truncated UDP answer is retried over TCP.
      if (message.truncated) {
        transport = "tcp";
        message = parseMessage(
          await exchangeTcp(query, options.server, Math.max(1, remainingMs)),
          id,
          questionName,
          type,
        );
      }
      const { records, cnameChain } = followCnameChain(message.answers, questionName, type);
      return {
        name: questionName,
        type,
        server: options.server,
        transport,
        rcode: message.rcode,
        rcodeName: rcodeName(message.rcode),
        authenticatedData: message.authenticatedData,
        records,
        cnameChain,
        extendedErrors: message.extendedErrors,
      };
    } catch (err) {
      if (!(err instanceof DnsQueryError)) throw err;
      lastError = err;
      // Only silence is worth asking again; a refusal or a garbled answer will not improve.
      if (err.kind !== "timeout") break;
    }
  }
  throw lastError ?? new DnsQueryError("network", "no attempt was made");
}

/** The first usable `nameserver` of a resolv.conf text, or null. */
export function parseResolvConf(text: string): string | null {
  for (const line of text.split("\n")) {
    const match = /^\s*nameserver\s+(\S+)/.exec(line.replace(/[#;].*$/, ""));
    const address = match?.[1];
    if (address && net.isIP(address.split("%")[0] ?? "") !== 0) return address;
  }
  return null;
}

/**
 * The resolver an alias uses: its configured address and port, or the system's first nameserver
 * on port 53. resolv.conf(5): with no nameserver line, the name server on the local machine is used.
 */
export async function dnsServerFor(
  resolver: string | null,
  port: number,
  resolvConfPath = "/etc/resolv.conf",
): Promise<DnsServer> {
  if (resolver) return { address: resolver, port };
  const text = await readFile(resolvConfPath, "utf8").catch(() => "");
  return { address: parseResolvConf(text) ?? "127.0.0.1", port: 53 };
}

export function formatDnsServer(server: DnsServer): string {
  return net.isIPv6(server.address.split("%")[0] ?? "")
    ? `[${server.address}]:${server.port}`
    : `${server.address}:${server.port}`;
}

// ---- wire format (RFC 1035 §4.1) through dns-packet ----

/**
 * dns-packet writes labels as given, so a name is held to what an ACME identifier turns into
 * after IDNA (RFC 8555 §7.1.4 requires A-labels) before it is encoded: host names, service labels
 * (_acme-challenge) and reverse-mapping labels, each at most 63 octets, the whole at most 255 on
 * the wire (RFC 1035 §2.3.4). Not lib/names' host-name syntax: "_acme-challenge" is no host name.
 */
function assertQueryableName(name: string): void {
  const labels = name === "" ? [] : name.split(".");
  for (const label of labels) {
    if (!/^[A-Za-z0-9_*-]+$/.test(label) || label.length > MAX_LABEL_LENGTH) {
      throw new DnsQueryError("invalidName", `"${name}" is not a valid DNS name`);
    }
  }
  // Without a trailing dot, the wire form is two octets longer than the text (RFC 1035 §3.1).
  if (name.length > MAX_DNS_NAME_LENGTH)
    throw new DnsQueryError("invalidName", `"${name}" is longer than 255 octets`);
}

function queryMessage(
  id: number,
  name: string,
  type: DnsQueryType,
  requestAuthenticatedData: boolean,
): dnsPacket.Packet {
  return {
    type: "query",
    id,
    flags: dnsPacket.RECURSION_DESIRED | (requestAuthenticatedData ? dnsPacket.AUTHENTIC_DATA : 0),
    questions: [{ type, name, class: "IN" }],
    // RFC 6891 §6.1.2: OPT owner is the root, CLASS is the UDP payload size, TTL carries the
    // extended RCODE, version 0 and the DO bit (RFC 3225).
    additionals: [
      {
        type: "OPT",
        name: ".",
        udpPayloadSize: EDNS_UDP_PAYLOAD_BYTES,
        extendedRcode: 0,
        ednsVersion: 0,
        flags: dnsPacket.DNSSEC_OK,
        flag_do: true,
        options: [],
      },
    ],
  };
}

type ParsedMessage = {
  truncated: boolean;
  rcode: number;
  authenticatedData: boolean;
  answers: DnsRecord[];
  extendedErrors: { infoCode: number; text: string }[];
};

function malformed(detail: string): DnsQueryError {
  return new DnsQueryError("malformed", `malformed DNS response: ${detail}`);
}

function parseMessage(
  buf: Buffer,
  expectedId: number,
  questionName: string,
  questionType: DnsQueryType,
): ParsedMessage {
  let message: dnsPacket.DecodedPacket;
  try {
    // dns-packet refuses compression pointers that do not point backwards (RFC 1035 §4.1.4), so a
    // chain of them cannot loop, and names longer than 255 octets.
    message = dnsPacket.decode(buf);
    assertRecordsFitTheirLength(buf, message);
  } catch (err) {
    if (err instanceof DnsQueryError) throw err;
    throw malformed((err as Error).message);
  }
  if (message.id !== expectedId) throw malformed("response ID does not match the query");
  if (!message.flag_qr) throw malformed("not a response");
  // RFC 1035 §4.1.1: OPCODE, bits 11-14 of the flags word, is QUERY (0) in an answer to ours.
  if ((((message.flags ?? 0) >> 11) & 0xf) !== 0) throw malformed("unexpected opcode");

  // RFC 5452 §9.1: the response must echo our question, or it answers something else.
  const questions = message.questions ?? [];
  if (questions.length > 1) throw malformed("more than one question");
  const [question] = questions;
  if (question && (normalizeDnsName(question.name) !== questionName || question.type !== questionType))
    throw malformed("question does not match the query");

  // RFC 1035 §4.1.1: RCODE is the low four bits of the flags word.
  let rcode = (message.flags ?? 0) & 0xf;
  const extendedErrors: { infoCode: number; text: string }[] = [];
  for (const record of message.additionals ?? []) {
    if (record.type !== "OPT") continue;
    // RFC 6891 §6.1.3: the upper 8 bits of the 12-bit RCODE live in the OPT TTL.
    rcode |= record.extendedRcode << 4;
    for (const option of record.options) {
      // @types/dns-packet lists only the option codes dns-packet interprets; EDE arrives as data.
      if ((option.code as number) === EDNS_OPTION_EDE && option.data && option.data.length >= 2) {
        extendedErrors.push({
          infoCode: option.data.readUInt16BE(0),
          text: option.data.subarray(2).toString("utf8"),
        });
      }
    }
  }
  return {
    truncated: message.flag_tc,
    rcode,
    authenticatedData: message.flag_ad,
    answers: (message.answers ?? []).flatMap((record) => toDnsRecord(record) ?? []),
    extendedErrors,
  };
}

/**
 * Shim for what dns-packet does not check (RFC 1035 §4.1.3): it reads A, AAAA and CNAME data by
 * their content, not by RDLENGTH, and reads on past the end of a message that stops short. So each
 * resource record is decoded again with dns-packet's own record decoder, and the message is refused
 * unless that decoder used exactly RDLENGTH octets, all inside the message.
 */
function assertRecordsFitTheirLength(buf: Buffer, message: dnsPacket.DecodedPacket): void {
  // dns-packet exports these per-part decoders, but @types/dns-packet declares only whole messages.
  type Decoder<T> = ((buf: Buffer, offset: number) => T) & { bytes: number };
  const part = dnsPacket as unknown as {
    name: { decode: Decoder<string> };
    question: { decode: Decoder<unknown> };
    answer: { decode: Decoder<unknown> };
  };
  let offset = 12; // RFC 1035 §4.1.1: the header
  for (const _ of message.questions ?? []) {
    part.question.decode(buf, offset);
    offset += part.question.decode.bytes;
  }
  const sections = [message.answers, message.authorities, message.additionals];
  const recordCount = sections.reduce((count, section) => count + (section?.length ?? 0), 0);
  for (let i = 0; i < recordCount; i++) {
    part.name.decode(buf, offset);
    const rdLengthAt = offset + part.name.decode.bytes + 8; // after TYPE, CLASS and TTL
    if (rdLengthAt + 2 > buf.length) throw malformed("message ends early");
    const end = rdLengthAt + 2 + buf.readUInt16BE(rdLengthAt);
    if (end > buf.length) throw malformed("record data runs past the message");
    part.answer.decode(buf, offset);
    if (offset + part.answer.decode.bytes !== end)
      throw malformed("record data does not fill its RDLENGTH exactly");
    offset = end;
  }
}

/**
 * One answer record; null for types we do not use (RRSIG, NSEC, …) and for classes other than IN.
 * dns-packet reports a class with the top bit set (mDNS's cache-flush bit, RFC 6762 §10.2) as IN
 * with `flush`; in unicast DNS that is another class.
 */
function toDnsRecord(record: dnsPacket.Answer): DnsRecord | null {
  if (record.type === "OPT" || record.class !== "IN" || record.flush) return null;
  const name = normalizeDnsName(record.name);
  const ttl = record.ttl ?? 0;
  switch (record.type) {
    case "A":
      return { type: "A", name, ttl, address: record.data };
    case "AAAA":
      // dns-packet's text is not RFC 5952's (it compresses the first run of zeros, not the longest).
      return { type: "AAAA", name, ttl, address: canonicalIpAddress(record.data) ?? record.data };
    case "CNAME":
      return { type: "CNAME", name, ttl, target: normalizeDnsName(record.data) };
    case "TXT": {
      // RFC 1035 §3.3.14: one or more <character-string>s. RFC 8555 §8.4 does not say how to
      // join them; like Boulder we concatenate, since long values are split at 255 octets.
      const strings = (Array.isArray(record.data) ? record.data : [record.data]).map((s) =>
        typeof s === "string" ? s : s.toString("utf8"),
      );
      return { type: "TXT", name, ttl, strings, text: strings.join("") };
    }
    case "CAA":
      // RFC 8659 §4.1: tags match case-insensitively.
      return {
        type: "CAA",
        name,
        ttl,
        flags: record.data.flags ?? 0,
        tag: String(record.data.tag).toLowerCase(),
        value: record.data.value,
      };
    default:
      return null;
  }
}

function followCnameChain(answers: DnsRecord[], questionName: string, type: DnsQueryType) {
  const cnameChain: string[] = [];
  let owner = questionName;
  for (let hop = 0; hop <= MAX_CNAME_CHAIN; hop++) {
    const records = answers.filter((r) => r.type === type && r.name === owner);
    if (records.length > 0 || type === "CNAME") return { records, cnameChain };
    const alias = answers.find((r) => r.type === "CNAME" && r.name === owner);
    const target = alias?.type === "CNAME" ? alias.target : undefined;
    if (target === undefined || target === questionName || cnameChain.includes(target)) break;
    cnameChain.push(target);
    owner = target;
  }
  return { records: [] as DnsRecord[], cnameChain };
}

// ---- transports ----

function exchangeUdp(
  query: dnsPacket.Packet,
  server: DnsServer,
  timeoutMs: number,
  id: number,
): Promise<Buffer> {
  const message = dnsPacket.encode(query);
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket(net.isIPv6(server.address.split("%")[0] ?? "") ? "udp6" : "udp4");
    let settled = false;
    const finish = (err: DnsQueryError | null, response?: Buffer) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.close();
      if (err) reject(err);
      else resolve(response as Buffer);
    };
    const timer = setTimeout(
      () =>
        finish(
          new DnsQueryError("timeout", `no response from ${formatDnsServer(server)} within ${timeoutMs} ms`),
        ),
      timeoutMs,
    );
    socket.on("error", (err) => finish(networkError(server, err)));
    // A connected socket only receives datagrams from the server's address and port, and makes
    // the kernel report ICMP port unreachable as ECONNREFUSED instead of a silent timeout.
    socket.on("message", (msg) => {
      // Anything else (a late answer to an earlier attempt) is ignored until the timer fires.
      if (msg.length >= 12 && msg.readUInt16BE(0) === id) finish(null, msg);
    });
    try {
      socket.connect(server.port, server.address, () => {
        socket.send(message, (err) => {
          if (err) finish(networkError(server, err));
        });
      });
    } catch (err) {
      finish(networkError(server, err as NodeJS.ErrnoException));
    }
  });
}

function exchangeTcp(query: dnsPacket.Packet, server: DnsServer, timeoutMs: number): Promise<Buffer> {
  // RFC 1035 §4.2.2: a two-octet length prefix before the message, both ways.
  const framed = dnsPacket.streamEncode(query);
  return new Promise((resolve, reject) => {
    let socket: net.Socket;
    try {
      socket = net.connect({ host: server.address, port: server.port });
    } catch (err) {
      reject(networkError(server, err as NodeJS.ErrnoException));
      return;
    }
    const chunks: Buffer[] = [];
    let received = 0;
    let settled = false;
    const finish = (err: DnsQueryError | null, response?: Buffer) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      if (err) reject(err);
      else resolve(response as Buffer);
    };
    const timer = setTimeout(
      () =>
        finish(
          new DnsQueryError(
            "timeout",
            `no TCP response from ${formatDnsServer(server)} within ${timeoutMs} ms`,
          ),
        ),
      timeoutMs,
    );
    socket.on("error", (err) => finish(networkError(server, err)));
    socket.on("connect", () => socket.write(framed));
    socket.on("data", (chunk: Buffer) => {
      chunks.push(chunk);
      received += chunk.length;
      if (received < 2) return;
      const all = Buffer.concat(chunks);
      const expected = all.readUInt16BE(0);
      // The 16-bit prefix caps the message at 65 535 octets (RFC 1035 §4.2.2); nothing after it is read.
      if (all.length >= 2 + expected) finish(null, all.subarray(2, 2 + expected));
    });
    socket.on("end", () => finish(malformed("connection closed before the whole response arrived")));
  });
}

function networkError(server: DnsServer, err: NodeJS.ErrnoException): DnsQueryError {
  const reason = err.code === "ECONNREFUSED" ? "connection refused" : (err.code ?? err.message);
  return new DnsQueryError("network", `cannot reach DNS resolver ${formatDnsServer(server)}: ${reason}`, {
    cause: err,
  });
}
