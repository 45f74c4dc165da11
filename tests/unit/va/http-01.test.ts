// http-01 (RFC 8555 §8.3) against real node:http servers on loopback, through validateChallenge.
// Names ending in .test resolve through pebble-challtestsrv (A 127.0.0.1, AAAA ::1).
import http from "node:http";
import https from "node:https";
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ValidationInput, type ValidationOutcome, validateChallenge } from "@/lib/va/validate";
import { type ChallTestSrv, startChallTestSrv } from "../../support/challtestsrv";
import { freePort } from "../../support/ports";
import { makeSelfSignedCertificate } from "./support";

const TOKEN = "evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA";
const KEY_AUTHORIZATION = `${TOKEN}.NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs`;
const CHALLENGE_PATH = `/.well-known/acme-challenge/${TOKEN}`;

type Route = (req: http.IncomingMessage, res: http.ServerResponse) => void;
type TestServer = { port: number; routes: Map<string, Route>; hosts: string[]; close: () => Promise<void> };

async function startServer(
  host = "127.0.0.1",
  tlsOptions?: { key: string; cert: string },
): Promise<TestServer> {
  const routes = new Map<string, Route>();
  const hosts: string[] = [];
  const handler: Route = (req, res) => {
    hosts.push(req.headers.host ?? "");
    const route = routes.get(req.url ?? "");
    if (route) route(req, res);
    else res.writeHead(404).end("not found");
  };
  const server = tlsOptions ? https.createServer(tlsOptions, handler) : http.createServer(handler);
  server.on("clientError", (_err, socket) => socket.destroy());
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    routes,
    hosts,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

let dns: ChallTestSrv;
let main: TestServer;
let other: TestServer;
let secure: TestServer;
let ipv6: TestServer;

beforeAll(async () => {
  dns = await startChallTestSrv();
  main = await startServer();
  other = await startServer();
  ipv6 = await startServer("::1");
  secure = await startServer(
    "127.0.0.1",
    await makeSelfSignedCertificate({ subjectAltNames: [{ type: "dns", value: "not-the-name.invalid" }] }),
  );
}, 30_000);
afterAll(async () => {
  await Promise.all([main?.close(), other?.close(), ipv6?.close(), secure?.close()]);
  await dns?.stop();
});

function input(overrides: Partial<ValidationInput> = {}): ValidationInput {
  return {
    type: "http-01",
    identifier: { type: "ip", value: "127.0.0.1" },
    wildcard: false,
    token: TOKEN,
    keyAuthorization: KEY_AUTHORIZATION,
    http01Port: main.port,
    tlsAlpn01Port: 443,
    dns: { resolver: "127.0.0.1", port: dns.dnsPort, requireDnssec: false },
    authorizedRedirectPorts: [],
    limits: { httpTimeoutMs: 2_000, dnsTimeoutMs: 1_000, dnsAttempts: 1 },
    ...overrides,
  };
}

function problemOf(outcome: ValidationOutcome) {
  if (outcome.valid)
    throw new Error(`expected an invalid outcome, records: ${JSON.stringify(outcome.records)}`);
  return outcome.problem;
}

const serve =
  (body: string | Buffer, status = 200): Route =>
  (_req, res) =>
    res.writeHead(status, { "content-type": "application/octet-stream" }).end(body);
const redirect =
  (location: string, status = 302): Route =>
  (_req, res) =>
    res.writeHead(status, { location }).end();

describe("http-01: the answer", () => {
  it("ok/IP identifier: right body, Host header = the identifier, records JSON-serialisable", async () => {
    main.routes.set(CHALLENGE_PATH, serve(KEY_AUTHORIZATION));
    main.hosts.length = 0;
    const outcome = await validateChallenge(input());
    expect(outcome.valid).toBe(true);
    expect(main.hosts).toEqual(["127.0.0.1"]);
    expect(outcome.records).toEqual([
      {
        challengeType: "http-01",
        url: `http://127.0.0.1:${main.port}${CHALLENGE_PATH}`,
        hostname: "127.0.0.1",
        port: main.port,
        addressesTried: ["127.0.0.1"],
        addressUsed: "127.0.0.1",
        httpStatus: 200,
      },
    ]);
    expect(JSON.parse(JSON.stringify(outcome.records))).toEqual(outcome.records);
  });

  it("ok/DNS identifier through the alias resolver: IPv6 tried first, IPv4 used when ::1 refuses", async () => {
    main.routes.set(CHALLENGE_PATH, serve(KEY_AUTHORIZATION));
    main.hosts.length = 0;
    const outcome = await validateChallenge(
      input({ identifier: { type: "dns", value: "web.example.test" } }),
    );
    expect(outcome.valid).toBe(true);
    expect(main.hosts).toEqual(["web.example.test"]);
    expect(outcome.records[0]).toMatchObject({
      url: `http://web.example.test:${main.port}${CHALLENGE_PATH}`,
      hostname: "web.example.test",
      resolver: `127.0.0.1:${dns.dnsPort}`,
      addressesResolved: ["::1", "127.0.0.1"],
      addressesTried: ["::1", "127.0.0.1"],
      addressUsed: "127.0.0.1",
    });
  });

  it("ok/wildcard identifier is validated at its base name", async () => {
    main.routes.set(CHALLENGE_PATH, serve(KEY_AUTHORIZATION));
    main.hosts.length = 0;
    const outcome = await validateChallenge(
      input({ identifier: { type: "dns", value: "*.wild.test" }, wildcard: true }),
    );
    expect(outcome.valid).toBe(true);
    expect(main.hosts).toEqual(["wild.test"]);
  });

  it("ok/IPv6 identifier: bracketed in the URL and the Host header", async () => {
    ipv6.routes.set(CHALLENGE_PATH, serve(KEY_AUTHORIZATION));
    const outcome = await validateChallenge(
      input({ identifier: { type: "ip", value: "::1" }, http01Port: ipv6.port }),
    );
    expect(outcome.valid).toBe(true);
    expect(ipv6.hosts.at(-1)).toBe("[::1]");
    expect(outcome.records[0]?.url).toBe(`http://[::1]:${ipv6.port}${CHALLENGE_PATH}`);
  });

  it("ok/trailing whitespace is ignored (RFC 8555 §8.3 step 4)", async () => {
    main.routes.set(CHALLENGE_PATH, serve(`${KEY_AUTHORIZATION}\r\n \t\n`));
    expect((await validateChallenge(input())).valid).toBe(true);
  });

  it("fail/leading whitespace is not", async () => {
    main.routes.set(CHALLENGE_PATH, serve(` ${KEY_AUTHORIZATION}`));
    expect(problemOf(await validateChallenge(input())).type).toBe("incorrectResponse");
  });

  it("fail/wrong body: incorrectResponse naming what was served", async () => {
    main.routes.set(CHALLENGE_PATH, serve("wrong answer\n"));
    const outcome = await validateChallenge(input());
    const problem = problemOf(outcome);
    expect(problem.type).toBe("incorrectResponse");
    expect(problem.status).toBe(403);
    expect(problem.detail).toContain(`Expected "${KEY_AUTHORIZATION}" (got "wrong answer")`);
    expect(problem.detail).toMatch(/^127\.0\.0\.1: /);
    expect(outcome.records[0]?.responseBodyPreview).toBe("wrong answer");
  });

  it("fail/404", async () => {
    main.routes.delete(CHALLENGE_PATH);
    const problem = problemOf(await validateChallenge(input()));
    expect(problem.type).toBe("incorrectResponse");
    expect(problem.detail).toContain(
      `Invalid response from http://127.0.0.1:${main.port}${CHALLENGE_PATH}: HTTP 404`,
    );
  });

  it("fail/huge body: reading stops at the limit", async () => {
    main.routes.set(CHALLENGE_PATH, (_req, res) => {
      res.writeHead(200);
      const chunk = Buffer.alloc(64 * 1024, "a");
      let sent = 0;
      const pump = () => {
        // At most 64 MiB, and only while the client keeps reading.
        while (sent < 1024 && !res.destroyed && res.write(chunk)) sent++;
        if (sent >= 1024 || res.destroyed) res.end();
        else res.once("drain", pump);
      };
      pump();
    });
    const started = Date.now();
    const problem = problemOf(await validateChallenge(input()));
    expect(problem.type).toBe("incorrectResponse");
    expect(problem.detail).toContain("longer than 8192 bytes");
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});

describe("http-01: connections", () => {
  it("fail/connection refused", async () => {
    const problem = problemOf(await validateChallenge(input({ http01Port: await freePort() })));
    expect(problem.type).toBe("connection");
    expect(problem.detail).toContain("Connection refused");
  });

  it("fail/slow server: timeout after connect, within the budget", async () => {
    main.routes.set(CHALLENGE_PATH, () => {}); // never answers
    const started = Date.now();
    const problem = problemOf(await validateChallenge(input({ limits: { httpTimeoutMs: 300 } })));
    expect(problem.type).toBe("connection");
    expect(problem.detail).toContain("Timeout after connect");
    expect(Date.now() - started).toBeLessThan(1_500);
  });

  it("fail/name that resolves to nothing: dns problem", async () => {
    const outcome = await validateChallenge(
      input({
        identifier: { type: "dns", value: "nowhere.test" },
        dns: { resolver: "127.0.0.1", port: await freePort(), requireDnssec: false },
      }),
    );
    const problem = problemOf(outcome);
    expect(problem.type).toBe("dns");
    expect(problem.detail).toContain("looking up A for nowhere.test");
  });
});

describe("http-01: redirects", () => {
  it("ok/to another path and another port, when the port is authorized", async () => {
    main.routes.set(CHALLENGE_PATH, redirect(`http://127.0.0.1:${other.port}/elsewhere`, 301));
    other.routes.set("/elsewhere", serve(KEY_AUTHORIZATION));
    other.hosts.length = 0;
    const outcome = await validateChallenge(input({ authorizedRedirectPorts: [other.port] }));
    expect(outcome.valid).toBe(true);
    expect(outcome.records.map((r) => [r.url, r.httpStatus])).toEqual([
      [`http://127.0.0.1:${main.port}${CHALLENGE_PATH}`, 301],
      [`http://127.0.0.1:${other.port}/elsewhere`, 200],
    ]);
    expect(outcome.records[0]?.redirectLocation).toBe(`http://127.0.0.1:${other.port}/elsewhere`);
    expect(other.hosts).toEqual([`127.0.0.1:${other.port}`]);
  });

  it("ok/relative Location", async () => {
    main.routes.set(CHALLENGE_PATH, redirect("/relative-target", 307));
    main.routes.set("/relative-target", serve(KEY_AUTHORIZATION));
    expect((await validateChallenge(input())).valid).toBe(true);
  });

  it("ok/to https with a certificate that does not verify (not checked, like Boulder)", async () => {
    main.routes.set(CHALLENGE_PATH, redirect(`https://127.0.0.1:${secure.port}/tls`));
    secure.routes.set("/tls", serve(KEY_AUTHORIZATION));
    const outcome = await validateChallenge(input());
    expect(outcome.valid).toBe(true);
    expect(outcome.records[1]?.url).toBe(`https://127.0.0.1:${secure.port}/tls`);
  });

  it("fail/to https on a server that answers in plain HTTP: tls problem", async () => {
    const plain = net.createServer((socket) => {
      socket.resume(); // read the ClientHello so the client's close is seen
      socket.end("HTTP/1.1 400 Bad Request\r\n\r\n");
    });
    await new Promise<void>((resolve) => plain.listen(0, "127.0.0.1", resolve));
    const { port } = plain.address() as net.AddressInfo;
    try {
      main.routes.set(CHALLENGE_PATH, redirect(`https://127.0.0.1:${port}/tls`));
      const problem = problemOf(await validateChallenge(input()));
      expect(problem.type).toBe("tls");
      expect(problem.detail).toBe(
        `127.0.0.1: Fetching https://127.0.0.1:${port}/tls: TLS error: wrong version number`,
      );
    } finally {
      await new Promise<void>((resolve) => plain.close(() => resolve()));
    }
  });

  it("fail/to a port outside authorizedRedirectPorts", async () => {
    main.routes.set(CHALLENGE_PATH, redirect(`http://127.0.0.1:${other.port}/elsewhere`));
    other.hosts.length = 0;
    const problem = problemOf(await validateChallenge(input({ authorizedRedirectPorts: [22, 25, 80, 443] })));
    expect(problem.type).toBe("connection");
    expect(problem.detail).toContain(
      `port ${other.port} is not an authorized redirect port (22, 25, 80, 443)`,
    );
    expect(other.hosts).toEqual([]);
  });

  it("fail/to a scheme other than http or https", async () => {
    main.routes.set(CHALLENGE_PATH, redirect("ftp://127.0.0.1/file"));
    const problem = problemOf(await validateChallenge(input()));
    expect(problem.type).toBe("connection");
    expect(problem.detail).toContain("only http and https redirects are followed");
  });

  it("fail/a loop is detected", async () => {
    main.routes.set(CHALLENGE_PATH, redirect("/loop-b"));
    main.routes.set("/loop-b", redirect(CHALLENGE_PATH));
    const outcome = await validateChallenge(input());
    expect(problemOf(outcome).detail).toContain("Redirect loop detected");
    expect(outcome.records).toHaveLength(2);
  });

  it("fail/endless fresh redirects stop after 10 hops", async () => {
    main.routes.set(CHALLENGE_PATH, redirect("/hop/1"));
    for (let i = 1; i <= 20; i++) main.routes.set(`/hop/${i}`, redirect(`/hop/${i + 1}`));
    const outcome = await validateChallenge(input());
    expect(problemOf(outcome).detail).toContain("Too many redirects");
    expect(outcome.records).toHaveLength(11);
  });
});

describe("validateChallenge: inputs", () => {
  it("fail/dns-01 for an IP identifier (RFC 8738 §7)", async () => {
    const problem = problemOf(await validateChallenge(input({ type: "dns-01" })));
    expect(problem.type).toBe("malformed");
  });
  it("fail/an IP address as a dns identifier", async () => {
    const problem = problemOf(
      await validateChallenge(input({ identifier: { type: "dns", value: "127.0.0.1" } })),
    );
    expect(problem.type).toBe("malformed");
  });
  it("throws/a key authorization that is not for the token (a programming error)", async () => {
    await expect(validateChallenge(input({ keyAuthorization: "other-token.thumbprint" }))).rejects.toThrow(
      TypeError,
    );
  });
});
