// The stub DNS client against a scripted server on loopback: the wire format it sends (RD, AD,
// EDNS0 with DO), the answers it understands, and every way a response can be refused or lost.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { canonicalIpAddress } from "@/lib/names";
import { DnsQueryError, dnsServerFor, parseResolvConf, queryDns } from "@/lib/va/dns-client";
import { reverseDnsName } from "@/lib/va/resolver";
import { freePort } from "../../support/ports";
import { buildReply, type FakeDnsServer, startFakeDnsServer } from "./support";

let server: FakeDnsServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});
const at = (s: FakeDnsServer) => ({
  server: { address: "127.0.0.1", port: s.port },
  timeoutMs: 1_000,
  attempts: 1,
});

async function queryError(promise: Promise<unknown>): Promise<DnsQueryError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof DnsQueryError) return err;
    throw err;
  }
  throw new Error("expected a DnsQueryError");
}

describe("queryDns: the query", () => {
  it("ok/RD and AD set, one question, EDNS0 OPT with DO and a 1232-octet payload size", async () => {
    server = await startFakeDnsServer((q) => ({
      answers: [{ name: q.name, type: "A", data: "192.0.2.1" }],
    }));
    await queryDns("Example.Test.", "A", { ...at(server), requestAuthenticatedData: true });
    const [query] = server.queries;
    expect(query?.name).toBe("example.test");
    expect(query?.type).toBe("A");
    expect(query?.message.questions).toHaveLength(1);
    expect(query?.message.flag_rd).toBe(true);
    expect(query?.message.flag_ad).toBe(true); // RFC 6840 §5.7
    expect(query?.message.additionals).toEqual([
      expect.objectContaining({
        type: "OPT",
        name: ".",
        udpPayloadSize: 1232,
        ednsVersion: 0,
        flag_do: true,
      }),
    ]); // RFC 6891 §6.1.2, DO: RFC 3225
  });
  it("ok/AD not set unless asked", async () => {
    server = await startFakeDnsServer(() => ({}));
    await queryDns("example.test", "A", at(server));
    expect((server.queries[0]?.flags ?? 0) & 0x0020).toBe(0);
  });
  it("fail/invalid name is refused before anything is sent", async () => {
    server = await startFakeDnsServer(() => ({}));
    for (const name of [
      "bad name.test",
      "ü.test",
      `${"a".repeat(64)}.test`,
      `${"abcdefghi.".repeat(26)}test`,
    ]) {
      expect((await queryError(queryDns(name, "A", at(server)))).kind).toBe("invalidName");
    }
    expect(server.queries).toHaveLength(0);
  });
});

describe("queryDns: answers", () => {
  it("ok/A and AAAA, the AD flag reported", async () => {
    server = await startFakeDnsServer((q) =>
      q.type === "A"
        ? { authenticatedData: true, answers: [{ name: q.name, type: "A", data: "192.0.2.1" }] }
        : {
            answers: [
              { name: q.name, type: "AAAA", data: "2001:db8:0:0:0:0:0:1" },
              { name: q.name, type: "AAAA", data: "2001:db8:0:0:1:0:0:0" },
            ],
          },
    );
    const a = await queryDns("example.test", "A", at(server));
    expect(a).toMatchObject({ rcode: 0, rcodeName: "NOERROR", authenticatedData: true, transport: "udp" });
    expect(a.records).toEqual([{ type: "A", name: "example.test", ttl: 60, address: "192.0.2.1" }]);
    const aaaa = await queryDns("example.test", "AAAA", at(server));
    expect(aaaa.authenticatedData).toBe(false);
    // RFC 5952 §4.2.3: the longest run of zero groups is the one shortened.
    expect(aaaa.records).toEqual([
      { type: "AAAA", name: "example.test", ttl: 60, address: "2001:db8::1" },
      { type: "AAAA", name: "example.test", ttl: 60, address: "2001:db8:0:0:1::" },
    ]);
  });
  it("ok/TXT character-strings are joined", async () => {
    server = await startFakeDnsServer((q) => ({
      answers: [{ name: q.name, type: "TXT", data: ["abc", "def"] }],
    }));
    const txt = await queryDns("_acme-challenge.example.test", "TXT", at(server));
    expect(txt.records).toEqual([
      { type: "TXT", name: "_acme-challenge.example.test", ttl: 60, strings: ["abc", "def"], text: "abcdef" },
    ]);
  });
  it("ok/NXDOMAIN is a response, not an error", async () => {
    server = await startFakeDnsServer(() => ({ rcode: 3 }));
    const response = await queryDns("missing.test", "TXT", at(server));
    expect(response).toMatchObject({ rcode: 3, rcodeName: "NXDOMAIN", records: [] });
  });
  it("ok/SERVFAIL with an RFC 8914 Extended DNS Error", async () => {
    server = await startFakeDnsServer(() => ({
      rcode: 2,
      extendedError: { infoCode: 6, text: "DNSSEC Bogus" },
    }));
    const response = await queryDns("bogus.test", "TXT", at(server));
    expect(response).toMatchObject({
      rcodeName: "SERVFAIL",
      extendedErrors: [{ infoCode: 6, text: "DNSSEC Bogus" }],
    });
  });
  it("ok/CNAME chain inside the answer is followed", async () => {
    server = await startFakeDnsServer((q) => ({
      answers: [
        { name: q.name, type: "CNAME", data: "a.test" },
        { name: "a.test", type: "CNAME", data: "b.test" },
        { name: "b.test", type: "TXT", data: "value" },
        { name: "unrelated.test", type: "TXT", data: "not this" },
      ],
    }));
    const response = await queryDns("www.test", "TXT", at(server));
    expect(response.cnameChain).toEqual(["a.test", "b.test"]);
    expect(response.records.map((r) => (r.type === "TXT" ? r.text : ""))).toEqual(["value"]);
  });
  it("ok/CNAME loop inside the answer ends without records", async () => {
    server = await startFakeDnsServer((q) => ({
      answers: [
        { name: q.name, type: "CNAME", data: "b.test" },
        { name: "b.test", type: "CNAME", data: q.name },
      ],
    }));
    const response = await queryDns("a.test", "TXT", at(server));
    expect(response.records).toEqual([]);
    expect(response.cnameChain).toEqual(["b.test"]);
  });
  it("ok/truncated UDP answer is asked again over TCP (RFC 7766 §5)", async () => {
    server = await startFakeDnsServer((q) =>
      q.transport === "udp"
        ? { truncated: true }
        : { answers: [{ name: q.name, type: "TXT", data: "x".repeat(200) }] },
    );
    const response = await queryDns("big.test", "TXT", at(server));
    expect(response.transport).toBe("tcp");
    expect(response.records).toHaveLength(1);
    expect(server.queries.map((q) => q.transport)).toEqual(["udp", "tcp"]);
  });
});

describe("queryDns: refused responses", () => {
  it("fail/compression pointer that loops onto itself", async () => {
    server = await startFakeDnsServer((q) => {
      const reply = buildReply(q, {});
      reply.writeUInt16BE(1, 6); // ANCOUNT = 1
      const pointerAt = reply.length;
      return Buffer.concat([
        reply,
        Buffer.from([0xc0 | (pointerAt >> 8), pointerAt & 0xff]),
        Buffer.alloc(10),
      ]);
    });
    const err = await queryError(queryDns("loop.test", "A", at(server)));
    expect(err.kind).toBe("malformed");
    expect(err.message).toContain("pointer");
  });
  it("fail/answer to a different question", async () => {
    server = await startFakeDnsServer((q) => buildReply({ ...q, name: "other.test" }, {}));
    const err = await queryError(queryDns("asked.test", "A", at(server)));
    expect(err.kind).toBe("malformed");
    expect(err.message).toContain("question does not match");
  });
  it("fail/record data overruns the message", async () => {
    server = await startFakeDnsServer((q) => {
      const reply = buildReply(q, { answers: [{ name: q.name, type: "A", data: "192.0.2.1" }] });
      return reply.subarray(0, reply.length - 2);
    });
    expect((await queryError(queryDns("short.test", "A", at(server)))).kind).toBe("malformed");
  });
  it("fail/record data longer than its type (RDLENGTH 5 for an A record)", async () => {
    server = await startFakeDnsServer((q) => {
      const reply = buildReply(q, { answers: [{ name: q.name, type: "A", data: "192.0.2.1" }] });
      reply.writeUInt16BE(5, reply.length - 6); // RDLENGTH, before the 4 octets of address
      return Buffer.concat([reply, Buffer.from([0])]);
    });
    const err = await queryError(queryDns("long.test", "A", at(server)));
    expect(err.kind).toBe("malformed");
    expect(err.message).toContain("RDLENGTH");
  });
  it("fail/a reply with another ID is ignored; silence times out after every attempt", async () => {
    server = await startFakeDnsServer((q) => buildReply({ ...q, id: (q.id + 1) & 0xffff }, {}));
    const started = Date.now();
    const err = await queryError(queryDns("spoof.test", "A", { ...at(server), timeoutMs: 150, attempts: 2 }));
    expect(err.kind).toBe("timeout");
    expect(server.queries).toHaveLength(2);
    expect(Date.now() - started).toBeLessThan(2_000);
  });
  it("fail/no server listening: connection refused, no retry", async () => {
    const port = await freePort();
    const err = await queryError(
      queryDns("example.test", "A", {
        server: { address: "127.0.0.1", port },
        timeoutMs: 1_000,
        attempts: 3,
      }),
    );
    expect(err.kind).toBe("network");
    expect(err.message).toContain("connection refused");
  });
  it("fail/deadline already passed: no query is sent", async () => {
    server = await startFakeDnsServer(() => ({}));
    const err = await queryError(queryDns("late.test", "A", { ...at(server), deadline: Date.now() - 1 }));
    expect(err.kind).toBe("timeout");
    expect(server.queries).toHaveLength(0);
  });
});

describe("resolver selection", () => {
  const dir = mkdtemp(path.join(os.tmpdir(), "keyward-va-"));
  afterAll(async () => rm(await dir, { recursive: true, force: true }));

  it("ok/first usable nameserver of resolv.conf", () => {
    const text =
      "# comment\nsearch example.test\nnameserver not-an-ip\nnameserver 10.0.0.53 # office\nnameserver 10.0.0.54\n";
    expect(parseResolvConf(text)).toBe("10.0.0.53");
    expect(parseResolvConf("nameserver fe80::1%eth0\n")).toBe("fe80::1%eth0");
    expect(parseResolvConf("; nameserver 10.0.0.1\noptions edns0\n")).toBeNull();
  });
  it("ok/null resolver = the system's first nameserver on port 53; else the alias's address and port", async () => {
    const file = path.join(await dir, "resolv.conf");
    await writeFile(file, "nameserver 127.0.0.53\nnameserver 127.0.0.54\n");
    expect(await dnsServerFor(null, 5353, file)).toEqual({ address: "127.0.0.53", port: 53 });
    expect(await dnsServerFor("127.0.0.1", 5353, file)).toEqual({ address: "127.0.0.1", port: 5353 });
    // resolv.conf(5): no nameserver line means the local machine.
    expect(await dnsServerFor(null, 53, path.join(await dir, "missing"))).toEqual({
      address: "127.0.0.1",
      port: 53,
    });
  });
});

describe("addresses", () => {
  it("ok/reverse mapping names (RFC 1035 §3.5, RFC 3596 §2.5, RFC 8738 §6)", () => {
    expect(reverseDnsName("127.0.0.1")).toBe("1.0.0.127.in-addr.arpa");
    expect(reverseDnsName("4321:0:1:2:3:4:567:89ab")).toBe(
      "b.a.9.8.7.6.5.0.4.0.0.0.3.0.0.0.2.0.0.0.1.0.0.0.0.0.0.0.1.2.3.4.ip6.arpa",
    );
    expect(reverseDnsName("::1")).toBe(`1.${"0.".repeat(31)}ip6.arpa`);
  });
  it("ok/canonical IP spelling (RFC 5952)", () => {
    expect(canonicalIpAddress("2001:DB8:0:0:0:0:0:1")).toBe("2001:db8::1");
    expect(canonicalIpAddress("192.0.2.1")).toBe("192.0.2.1");
    expect(canonicalIpAddress("example.test")).toBeNull();
  });
});
