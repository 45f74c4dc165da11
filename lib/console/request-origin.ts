// The origin the browser used to reach the console, for showing ACME URLs an operator can paste:
// through Keyward's server, the scheme and host it resolved (a trusted proxy's X-Forwarded-Proto
// and -Host, else the listener's own; lib/forwarded.ts), never what a client wrote itself.
import "server-only";
import { headers } from "next/headers";
import { clientAuthOrigin } from "@/lib/env";
import { forwardedHost, forwardedProto } from "@/lib/forwarded";

export type ConsoleOrigins = {
  /** The console's own origin: ACME URLs without client authentication. */
  origin: string;
  /** Where ACME clients authenticate with a client certificate (the mutual-TLS port). */
  clientAuthOrigin: string;
};

export async function requestOrigin(): Promise<string> {
  return (await requestOrigins()).origin;
}

export async function requestOrigins(): Promise<ConsoleOrigins> {
  const h = await headers();
  const origin = `${forwardedProto(h)}://${forwardedHost(h) ?? "localhost"}`;
  let hostname = "localhost";
  try {
    hostname = new URL(origin).hostname;
  } catch {
    // A Host header no URL accepts: the URLs shown name localhost.
  }
  return { origin, clientAuthOrigin: clientAuthOrigin(hostname) };
}
