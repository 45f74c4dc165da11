// tls-alpn-01 (RFC 8737, RFC 8738 §6) against real node:tls servers on loopback presenting
// certificates made through lib/crypto/x509.ts. Names ending in .test resolve through challtestsrv.
import net from "node:net";
import tls from "node:tls";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { tlsAlpn01Digest } from "@/lib/va/key-authorization";
import { type ValidationInput, type ValidationOutcome, validateChallenge } from "@/lib/va/validate";
import { type ChallTestSrv, startChallTestSrv } from "../../support/challtestsrv";
import { freePort } from "../../support/ports";
import { acmeIdentifierExtension, makeSelfSignedCertificate, type TestCertificate } from "./support";

const TOKEN = "evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA";
const KEY_AUTHORIZATION = `${TOKEN}.NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs`;
const DIGEST = tlsAlpn01Digest(KEY_AUTHORIZATION);

type TestServer = { port: number; servernames: string[]; close: () => Promise<void> };
const servers: TestServer[] = [];

/** Listens on loopback; close() drops open connections so the server never waits on a client. */
async function listen(
  server: net.Server,
  host = "127.0.0.1",
  servernames: string[] = [],
): Promise<TestServer> {
  const sockets = new Set<net.Socket>();
  server.on("connection", (socket: net.Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const handle = {
    port: (server.address() as net.AddressInfo).port,
    servernames,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
  servers.push(handle);
  return handle;
}

async function startTlsServer(
  certificate: TestCertificate,
  options: { alpn?: string[]; host?: string } = {},
): Promise<TestServer> {
  const servernames: string[] = [];
  const server = tls.createServer({
    ...certificate,
    ...(options.alpn ? { ALPNProtocols: options.alpn } : {}),
    // Seen in the ClientHello, before the handshake can fail or the client hang up.
    SNICallback: (servername, callback) => {
      servernames.push(servername);
      callback(null, undefined);
    },
  });
  server.on("secureConnection", (socket) => socket.end());
  server.on("tlsClientError", () => {});
  return listen(server, options.host, servernames);
}

let dns: ChallTestSrv;
beforeAll(async () => {
  dns = await startChallTestSrv();
}, 30_000);
afterAll(async () => dns?.stop());
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

function input(port: number, overrides: Partial<ValidationInput> = {}): ValidationInput {
  return {
    type: "tls-alpn-01",
    identifier: { type: "ip", value: "127.0.0.1" },
    wildcard: false,
    token: TOKEN,
    keyAuthorization: KEY_AUTHORIZATION,
    http01Port: 80,
    tlsAlpn01Port: port,
    dns: { resolver: "127.0.0.1", port: dns.dnsPort, requireDnssec: false },
    authorizedRedirectPorts: [],
    limits: { tlsTimeoutMs: 2_000, dnsTimeoutMs: 1_000, dnsAttempts: 1 },
    ...overrides,
  };
}

function problemOf(outcome: ValidationOutcome) {
  if (outcome.valid)
    throw new Error(`expected an invalid outcome, records: ${JSON.stringify(outcome.records)}`);
  return outcome.problem;
}

const ipCertificate = (extensions = [acmeIdentifierExtension(DIGEST)]) =>
  makeSelfSignedCertificate({ subjectAltNames: [{ type: "ip", value: "127.0.0.1" }], extensions });

describe("tls-alpn-01: the right certificate", () => {
  it("ok/IP identifier: SNI is the reverse mapping name (RFC 8738 §6)", async () => {
    const server = await startTlsServer(await ipCertificate(), { alpn: ["acme-tls/1"] });
    const outcome = await validateChallenge(input(server.port));
    expect(outcome.valid).toBe(true);
    expect(server.servernames).toEqual(["1.0.0.127.in-addr.arpa"]);
    expect(outcome.records).toEqual([
      {
        challengeType: "tls-alpn-01",
        hostname: "127.0.0.1",
        port: server.port,
        sni: "1.0.0.127.in-addr.arpa",
        addressesTried: ["127.0.0.1"],
        addressUsed: "127.0.0.1",
        alpnProtocol: "acme-tls/1",
        certificateSubjectAltNames: ["ip:127.0.0.1"],
      },
    ]);
  });

  it("ok/DNS identifier through the alias resolver; the dNSName compares case-insensitively", async () => {
    const certificate = await makeSelfSignedCertificate({
      subjectAltNames: [{ type: "dns", value: "ALPN.Example.Test" }],
      extensions: [acmeIdentifierExtension(DIGEST)],
    });
    const server = await startTlsServer(certificate, { alpn: ["acme-tls/1"] });
    const outcome = await validateChallenge(
      input(server.port, { identifier: { type: "dns", value: "alpn.example.test" } }),
    );
    expect(outcome.valid).toBe(true);
    expect(server.servernames).toEqual(["alpn.example.test"]);
    expect(outcome.records[0]).toMatchObject({
      sni: "alpn.example.test",
      resolver: `127.0.0.1:${dns.dnsPort}`,
      addressesTried: ["::1", "127.0.0.1"],
      addressUsed: "127.0.0.1",
    });
  });

  it("ok/IPv6 identifier: ip6.arpa SNI, SAN compared as an address", async () => {
    const certificate = await makeSelfSignedCertificate({
      subjectAltNames: [{ type: "ip", value: "0:0:0:0:0:0:0:1" }],
      extensions: [acmeIdentifierExtension(DIGEST)],
    });
    const server = await startTlsServer(certificate, { alpn: ["acme-tls/1"], host: "::1" });
    const outcome = await validateChallenge(input(server.port, { identifier: { type: "ip", value: "::1" } }));
    expect(outcome.valid).toBe(true);
    expect(server.servernames).toEqual([`1.${"0.".repeat(31)}ip6.arpa`]);
  });
});

describe("tls-alpn-01: wrong certificates", () => {
  it("fail/acmeIdentifier extension not critical", async () => {
    const server = await startTlsServer(await ipCertificate([acmeIdentifierExtension(DIGEST, false)]), {
      alpn: ["acme-tls/1"],
    });
    const problem = problemOf(await validateChallenge(input(server.port)));
    expect(problem.type).toBe("incorrectResponse");
    expect(problem.detail).toContain("the acmeIdentifier extension is not critical");
  });

  it("fail/wrong digest, naming both values", async () => {
    const wrong = tlsAlpn01Digest("some other key authorization");
    const server = await startTlsServer(await ipCertificate([acmeIdentifierExtension(wrong)]), {
      alpn: ["acme-tls/1"],
    });
    const problem = problemOf(await validateChallenge(input(server.port)));
    expect(problem.type).toBe("incorrectResponse");
    expect(problem.detail).toContain(`expected acmeIdentifier value ${DIGEST.toString("hex")}`);
    expect(problem.detail).toContain(`but got ${wrong.toString("hex")}`);
  });

  it("fail/acmeIdentifier extension missing", async () => {
    const server = await startTlsServer(await ipCertificate([]), { alpn: ["acme-tls/1"] });
    const problem = problemOf(await validateChallenge(input(server.port)));
    expect(problem.detail).toContain("missing the acmeIdentifier extension (1.3.6.1.5.5.7.1.31)");
  });

  it("fail/a second subjectAltName", async () => {
    const certificate = await makeSelfSignedCertificate({
      subjectAltNames: [
        { type: "ip", value: "127.0.0.1" },
        { type: "dns", value: "extra.test" },
      ],
      extensions: [acmeIdentifierExtension(DIGEST)],
    });
    const server = await startTlsServer(certificate, { alpn: ["acme-tls/1"] });
    const outcome = await validateChallenge(input(server.port));
    expect(problemOf(outcome).detail).toContain(
      "exactly one subjectAltName, iPAddress 127.0.0.1 (found ip:127.0.0.1, dns:extra.test)",
    );
    expect(outcome.records[0]?.certificateSubjectAltNames).toEqual(["ip:127.0.0.1", "dns:extra.test"]);
  });

  it("fail/the address written as a dNSName", async () => {
    const certificate = await makeSelfSignedCertificate({
      subjectAltNames: [{ type: "dns", value: "127.0.0.1" }],
      extensions: [acmeIdentifierExtension(DIGEST)],
    });
    const server = await startTlsServer(certificate, { alpn: ["acme-tls/1"] });
    expect(problemOf(await validateChallenge(input(server.port))).type).toBe("incorrectResponse");
  });
});

describe("tls-alpn-01: the handshake", () => {
  it("fail/server does not speak ALPN", async () => {
    const server = await startTlsServer(await ipCertificate());
    const outcome = await validateChallenge(input(server.port));
    const problem = problemOf(outcome);
    expect(problem.type).toBe("incorrectResponse");
    expect(problem.detail).toContain('Cannot negotiate ALPN protocol "acme-tls/1"');
    expect(outcome.records[0]?.alpnProtocol).toBeNull();
  });

  it("fail/server offers other protocols only", async () => {
    const server = await startTlsServer(await ipCertificate(), { alpn: ["h2", "http/1.1"] });
    const problem = problemOf(await validateChallenge(input(server.port)));
    // OpenSSL servers answer a mismatch with a no_application_protocol alert (RFC 7301 §3.2).
    expect(problem.type).toBe("tls");
    expect(problem.detail).toContain("TLS handshake for tls-alpn-01 challenge failed");
  });

  it("fail/not TLS at all", async () => {
    const plain = await listen(net.createServer((socket) => socket.end("HTTP/1.1 400 Bad Request\r\n\r\n")));
    const problem = problemOf(await validateChallenge(input(plain.port)));
    expect(problem.type).toBe("tls");
  });

  it("fail/connection refused", async () => {
    const problem = problemOf(await validateChallenge(input(await freePort())));
    expect(problem.type).toBe("connection");
    expect(problem.detail).toContain("Connection refused");
  });

  it("fail/silent server: handshake timeout within the budget", async () => {
    const silent = await listen(net.createServer(() => {}));
    const started = Date.now();
    const outcome = await validateChallenge(input(silent.port, { limits: { tlsTimeoutMs: 300 } }));
    expect(problemOf(outcome).detail).toContain("Timeout during the TLS handshake");
    expect(Date.now() - started).toBeLessThan(1_500);
  });
});
