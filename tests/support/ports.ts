// Free TCP ports on loopback, found by binding port 0 and releasing it.
import net from "node:net";

export async function freePort(host = "127.0.0.1"): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, host, () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/**
 * The one source address the integration server believes X-Forwarded-* and X-SSL-Client-Cert from
 * (KEYWARD_TRUSTED_PROXIES): all of 127.0.0.0/8 is loopback, so a test binds it as the source of
 * a connection to play the proxy, and plain requests (from 127.0.0.1) play anybody else.
 */
export const TRUSTED_PROXY_ADDRESS = "127.0.0.2";
