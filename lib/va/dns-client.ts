// A small stub DNS client (RFC 1035 wire format over UDP, TCP when truncated) so the validation
// authority asks exactly the resolver an alias names, on the port it names, and sees the header
// flags. node:dns's Resolver can be pointed at an address and port, but it cannot set DO or AD in
// the query, hides the AD bit of the answer (which dns-01 needs when an alias requires DNSSEC),
// and reports rcodes and Extended DNS Errors only as opaque error codes.
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
import { normalizeDnsName } from "@/lib/names";

/** RFC 1035 §3.2.2, RFC 3596 §2.1 (AAAA), RFC 6891 §6.1.1 (OPT), RFC 8659 §4.1 (CAA). */
const RR_TYPE_CODES = { A: 1, CNAME: 5, PTR: 12, TXT: 16, AAAA: 28, OPT: 41, CAA: 257 } as const;
export type DnsQueryType = "A" | "AAAA" | "CNAME" | "TXT" | "CAA" | "PTR";

const CLASS_IN = 1;

/** RFC 1035 §4.1.1 header flag bits (in the 16-bit flags word). */
const FLAG_QR = 0x8000;
const FLAG_TC = 0x0200;
const FLAG_RD = 0x0100;
/** RFC 4035 §3.2.3: Authenticated Data, set by a validating resolver; RFC 6840 §5.7: a stub may set it in a query to ask for it. */
const FLAG_AD = 0x0020;
/** RFC 3225 §3: DNSSEC OK, bit 15 of the OPT record's TTL field. */
const EDNS_FLAG_DO = 0x8000;
/** RFC 8914 §2: Extended DNS Error option code. */
const EDNS_OPTION_EDE = 15;

/** DNS Flag Day 2020's recommended EDNS buffer size: avoids IP fragmentation; larger answers come over TCP. */
const EDNS_UDP_PAYLOAD_BYTES = 1232;
/** RFC 1035 §2.3.4 */
const MAX_NAME_OCTETS = 255;
const MAX_LABEL_OCTETS = 63;
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
  | { type: "CNAME" | "PTR"; name: string; ttl: number; target: string }
  | { type: "TXT"; name: string; ttl: number; strings: string[]; text: string }
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
  encodeName(questionName); // refuse a bad name before any packet leaves

  let lastError: DnsQueryError | undefined;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const remainingMs =
      options.deadline === undefined ? timeoutMs : Math.min(timeoutMs, options.deadline - Date.now());
    if (remainingMs <= 0) {
      lastError ??= new DnsQueryError("timeout", `no time left to query ${formatDnsServer(options.server)}`);
      break;
    }
    const id = randomInt(0, 0x10000);
    const query = encodeQuery(id, questionName, type, options.requestAuthenticatedData ?? false);
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

// ---- wire format: encoding (RFC 1035 §4.1) ----

function encodeName(name: string): Buffer {
  const labels = name === "" ? [] : name.split(".");
  const parts: Buffer[] = [];
  for (const label of labels) {
    // Host names, service labels (_acme-challenge) and reverse-mapping labels only: everything an
    // ACME identifier turns into after IDNA (RFC 8555 §7.1.4 requires A-labels).
    if (!/^[A-Za-z0-9_*-]+$/.test(label) || label.length > MAX_LABEL_OCTETS) {
      throw new DnsQueryError("invalidName", `"${name}" is not a valid DNS name`);
    }
    parts.push(Buffer.from([label.length]), Buffer.from(label, "ascii"));
  }
  parts.push(Buffer.from([0]));
  const wire = Buffer.concat(parts);
  if (wire.length > MAX_NAME_OCTETS)
    throw new DnsQueryError("invalidName", `"${name}" is longer than 255 octets`);
  return wire;
}

function encodeQuery(
  id: number,
  name: string,
  type: DnsQueryType,
  requestAuthenticatedData: boolean,
): Buffer {
  const header = Buffer.alloc(12);
  header.writeUInt16BE(id, 0);
  header.writeUInt16BE(FLAG_RD | (requestAuthenticatedData ? FLAG_AD : 0), 2);
  header.writeUInt16BE(1, 4); // QDCOUNT
  header.writeUInt16BE(1, 10); // ARCOUNT: the OPT record
  const question = Buffer.alloc(4);
  question.writeUInt16BE(RR_TYPE_CODES[type], 0);
  question.writeUInt16BE(CLASS_IN, 2);
  // RFC 6891 §6.1.2: OPT owner is the root, CLASS is the UDP payload size, TTL carries the
  // extended RCODE, version 0 and the DO bit (RFC 3225), RDLEN 0.
  const opt = Buffer.alloc(11);
  opt.writeUInt8(0, 0);
  opt.writeUInt16BE(RR_TYPE_CODES.OPT, 1);
  opt.writeUInt16BE(EDNS_UDP_PAYLOAD_BYTES, 3);
  opt.writeUInt32BE(EDNS_FLAG_DO, 5);
  opt.writeUInt16BE(0, 9);
  return Buffer.concat([header, encodeName(name), question, opt]);
}

// ---- wire format: decoding ----

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

class MessageReader {
  constructor(
    readonly buf: Buffer,
    public offset = 0,
  ) {}
  need(octets: number): void {
    if (this.offset + octets > this.buf.length) throw malformed("message ends early");
  }
  u8(): number {
    this.need(1);
    return this.buf.readUInt8(this.offset++);
  }
  u16(): number {
    this.need(2);
    const v = this.buf.readUInt16BE(this.offset);
    this.offset += 2;
    return v;
  }
  u32(): number {
    this.need(4);
    const v = this.buf.readUInt32BE(this.offset);
    this.offset += 4;
    return v;
  }
  bytes(octets: number): Buffer {
    this.need(octets);
    const v = this.buf.subarray(this.offset, this.offset + octets);
    this.offset += octets;
    return v;
  }
  /**
   * RFC 1035 §4.1.4 name with compression. Every pointer must point before the label that holds
   * it, so a chain of pointers strictly decreases and cannot loop.
   */
  name(): string {
    const labels: string[] = [];
    let position = this.offset;
    let resumeAt: number | null = null;
    let octets = 1;
    for (;;) {
      if (position >= this.buf.length) throw malformed("name runs past the message");
      const length = this.buf.readUInt8(position);
      if (length === 0) {
        position += 1;
        break;
      }
      if ((length & 0xc0) === 0xc0) {
        if (position + 1 >= this.buf.length) throw malformed("truncated compression pointer");
        const target = this.buf.readUInt16BE(position) & 0x3fff;
        if (target >= position) throw malformed("compression pointer does not point backwards");
        if (resumeAt === null) resumeAt = position + 2;
        position = target;
        continue;
      }
      if ((length & 0xc0) !== 0) throw malformed("unsupported label type");
      if (position + 1 + length > this.buf.length) throw malformed("label runs past the message");
      octets += length + 1;
      if (octets > MAX_NAME_OCTETS) throw malformed("name longer than 255 octets");
      labels.push(this.buf.toString("latin1", position + 1, position + 1 + length));
      position += 1 + length;
    }
    this.offset = resumeAt ?? position;
    return normalizeDnsName(labels.join("."));
  }
}

function parseMessage(
  buf: Buffer,
  expectedId: number,
  questionName: string,
  questionType: DnsQueryType,
): ParsedMessage {
  const reader = new MessageReader(buf);
  const id = reader.u16();
  const flags = reader.u16();
  const questionCount = reader.u16();
  const answerCount = reader.u16();
  const authorityCount = reader.u16();
  const additionalCount = reader.u16();
  if (id !== expectedId) throw malformed("response ID does not match the query");
  if ((flags & FLAG_QR) === 0) throw malformed("not a response");
  if (((flags >> 11) & 0xf) !== 0) throw malformed("unexpected opcode");

  // RFC 5452 §9.1: the response must echo our question, or it answers something else.
  if (questionCount > 1) throw malformed("more than one question");
  if (questionCount === 1) {
    const name = reader.name();
    const type = reader.u16();
    reader.u16(); // class
    if (name !== questionName || type !== RR_TYPE_CODES[questionType])
      throw malformed("question does not match the query");
  }

  const answers: DnsRecord[] = [];
  for (let i = 0; i < answerCount; i++) {
    const record = readRecord(reader);
    if (record) answers.push(record);
  }
  for (let i = 0; i < authorityCount; i++) readRecord(reader);

  let rcode = flags & 0xf;
  const extendedErrors: { infoCode: number; text: string }[] = [];
  for (let i = 0; i < additionalCount; i++) {
    reader.name();
    const type = reader.u16();
    reader.u16(); // class (UDP payload size for OPT)
    const ttl = reader.u32();
    const rdata = reader.bytes(reader.u16());
    if (type !== RR_TYPE_CODES.OPT) continue;
    // RFC 6891 §6.1.3: the upper 8 bits of the 12-bit RCODE live in the OPT TTL.
    rcode |= (ttl >>> 24) << 4;
    const options = new MessageReader(rdata);
    while (options.offset + 4 <= rdata.length) {
      const code = options.u16();
      const data = options.bytes(options.u16());
      if (code === EDNS_OPTION_EDE && data.length >= 2) {
        extendedErrors.push({ infoCode: data.readUInt16BE(0), text: data.subarray(2).toString("utf8") });
      }
    }
  }
  return {
    truncated: (flags & FLAG_TC) !== 0,
    rcode,
    authenticatedData: (flags & FLAG_AD) !== 0,
    answers,
    extendedErrors,
  };
}

/** One resource record; null for types we do not use (RRSIG, NSEC, …) and for classes other than IN. */
function readRecord(reader: MessageReader): DnsRecord | null {
  const name = reader.name();
  const type = reader.u16();
  const rrClass = reader.u16();
  const ttl = reader.u32();
  const length = reader.u16();
  reader.need(length);
  const start = reader.offset;
  const end = start + length;
  let record: DnsRecord | null = null;
  if (rrClass === CLASS_IN) {
    switch (type) {
      case RR_TYPE_CODES.A:
        if (length !== 4) throw malformed("A record is not 4 octets");
        record = { type: "A", name, ttl, address: [...reader.bytes(4)].join(".") };
        break;
      case RR_TYPE_CODES.AAAA:
        if (length !== 16) throw malformed("AAAA record is not 16 octets");
        record = { type: "AAAA", name, ttl, address: formatIPv6(reader.bytes(16)) };
        break;
      case RR_TYPE_CODES.CNAME:
      case RR_TYPE_CODES.PTR:
        record = { type: type === RR_TYPE_CODES.CNAME ? "CNAME" : "PTR", name, ttl, target: reader.name() };
        break;
      case RR_TYPE_CODES.TXT: {
        // RFC 1035 §3.3.14: one or more <character-string>s. RFC 8555 §8.4 does not say how to
        // join them; like Boulder we concatenate, since long values are split at 255 octets.
        const strings: string[] = [];
        while (reader.offset < end) strings.push(reader.bytes(reader.u8()).toString("utf8"));
        record = { type: "TXT", name, ttl, strings, text: strings.join("") };
        break;
      }
      case RR_TYPE_CODES.CAA: {
        // RFC 8659 §4.1: flags, tag length, tag, value (the rest).
        const flags = reader.u8();
        const tag = reader.bytes(reader.u8()).toString("latin1");
        if (reader.offset > end) throw malformed("CAA tag runs past the record");
        record = {
          type: "CAA",
          name,
          ttl,
          flags,
          tag,
          value: reader.buf.toString("utf8", reader.offset, end),
        };
        break;
      }
    }
  }
  if (reader.offset > end) throw malformed("record data longer than its RDLENGTH");
  reader.offset = end;
  return record;
}

/** RFC 5952 text form, by way of the WHATWG URL serializer which implements it. */
function formatIPv6(bytes: Buffer): string {
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(bytes.readUInt16BE(i).toString(16));
  return new URL(`http://[${groups.join(":")}]/`).hostname.slice(1, -1);
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

function exchangeUdp(query: Buffer, server: DnsServer, timeoutMs: number, id: number): Promise<Buffer> {
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
        socket.send(query, (err) => {
          if (err) finish(networkError(server, err));
        });
      });
    } catch (err) {
      finish(networkError(server, err as NodeJS.ErrnoException));
    }
  });
}

function exchangeTcp(query: Buffer, server: DnsServer, timeoutMs: number): Promise<Buffer> {
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
    socket.on("connect", () => {
      // RFC 1035 §4.2.2: two-octet length prefix.
      const length = Buffer.alloc(2);
      length.writeUInt16BE(query.length, 0);
      socket.write(Buffer.concat([length, query]));
    });
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
