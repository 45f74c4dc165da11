// Challenge responders for tests that play the ACME client's side: an http-01 server and a
// tls-alpn-01 server on the loopback ports the Keyward under test validates against.
import http from "node:http";
import tls from "node:tls";

export type Http01Responder = {
  set: (token: string, keyAuthorization: string) => void;
  delete: (token: string) => void;
  close: () => Promise<void>;
};

export async function startHttp01Responder(port: number): Promise<Http01Responder> {
  const tokens = new Map<string, string>();
  const server = http.createServer((req, res) => {
    const token = req.url?.startsWith("/.well-known/acme-challenge/")
      ? req.url.slice("/.well-known/acme-challenge/".length)
      : "";
    const body = tokens.get(token);
    res.writeHead(body ? 200 : 404, { "content-type": "text/plain" }).end(body ?? "not found");
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return {
    set: (token, keyAuthorization) => tokens.set(token, keyAuthorization),
    delete: (token) => tokens.delete(token),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export type TlsAlpnResponder = {
  set: (servername: string, cert: { key: Buffer | string; cert: Buffer | string }) => void;
  close: () => Promise<void>;
};

/** Answers ALPN acme-tls/1 with the certificate set for the SNI name (RFC 8737 §3). */
export async function startTlsAlpnResponder(port: number): Promise<TlsAlpnResponder> {
  const contexts = new Map<string, tls.SecureContext>();
  const server = tls.createServer({
    ALPNProtocols: ["acme-tls/1"],
    SNICallback: (name, cb) => cb(null, contexts.get(name.toLowerCase())),
  });
  server.on("secureConnection", (socket) => socket.end());
  server.on("tlsClientError", () => {});
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return {
    set: (servername, { key, cert }) =>
      contexts.set(servername.toLowerCase(), tls.createSecureContext({ key, cert })),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
