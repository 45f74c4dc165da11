// The connections http-01 and tls-alpn-01 make to the client's server: which address to try,
// the two deadlines of an attempt, and how a socket failure reads in a problem. One place, so both
// challenges fall back from IPv6 to IPv4, time out and report a refusal or a TLS alert the same way.
import { AcmeProblem } from "@/lib/problem";

/** A failure before the TCP connection was made: worth trying the next address family. */
export class ConnectFailure extends Error {}

/**
 * Runs `attempt` on `addresses` in order (IPv6 first, resolver.ts addressesToDial) until one
 * connects, recording which were tried and which answered. A ConnectFailure moves on to the next
 * address, which keeps half of the remaining time so one dead address cannot eat the budget; any
 * other failure, or the last address's, becomes the problem `toProblem` makes of it.
 */
export async function withFirstReachableAddress<T>(o: {
  addresses: string[];
  record: { addressesTried?: string[]; addressUsed?: string };
  deadline: number;
  attempt: (address: string, connectDeadline: number) => Promise<T>;
  toProblem: (err: unknown, address: string) => AcmeProblem;
  noAddressDetail: string;
}): Promise<T> {
  o.record.addressesTried = [];
  for (const [index, address] of o.addresses.entries()) {
    o.record.addressesTried.push(address);
    const isLast = index === o.addresses.length - 1;
    const connectDeadline = isLast ? o.deadline : Date.now() + Math.max(0, o.deadline - Date.now()) / 2;
    try {
      const result = await o.attempt(address, connectDeadline);
      o.record.addressUsed = address;
      return result;
    } catch (err) {
      o.record.addressUsed = address;
      if (err instanceof ConnectFailure && !isLast) continue;
      throw o.toProblem(err, address);
    }
  }
  throw new AcmeProblem("dns", o.noAddressDetail);
}

const CONNECT_TIMEOUT = "Timeout during connect (likely firewall problem)";

/** How the code that opened a connection reports on it to attemptConnection. */
export type ConnectionEvents<T> = {
  /** The TCP connection is made: from now on a timeout or an error is the server's doing. */
  connected: () => void;
  succeed: (value: T) => void;
  fail: (err: Error) => void;
  /** An 'error' event: a ConnectFailure before the connection was made, `describeError`'s after. */
  socketError: (err: NodeJS.ErrnoException) => void;
};

/**
 * One connection attempt as a promise, with its two deadlines: at `connectDeadline` a connection
 * not yet made fails as a ConnectFailure (so withFirstReachableAddress tries the next address), at
 * `deadline` whatever is still running fails with `afterConnectTimeout`. `open` starts the
 * connection and reports through the events; the first report wins, and then the handle `open`
 * returned is destroyed and both timers cleared.
 */
export function attemptConnection<T>(o: {
  connectDeadline: number;
  deadline: number;
  afterConnectTimeout: string;
  describeError: (err: NodeJS.ErrnoException) => Error;
  open: (events: ConnectionEvents<T>) => { destroy: () => void };
}): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let connected = false;
    let settled = false;
    let handle: { destroy: () => void } | undefined;
    const timers: NodeJS.Timeout[] = [];
    const finish = (err: Error | null, value?: T) => {
      if (settled) return;
      settled = true;
      for (const t of timers) clearTimeout(t);
      handle?.destroy();
      if (err) reject(err);
      else resolve(value as T);
    };
    handle = o.open({
      connected: () => {
        connected = true;
      },
      succeed: (value) => finish(null, value),
      fail: (err) => finish(err),
      socketError: (err) => {
        if (!connected) finish(connectFailureOf(err));
        else if (err.code === "ECONNRESET")
          finish(Object.assign(new Error("Connection reset by peer"), { code: err.code }));
        else finish(o.describeError(err));
      },
    });
    timers.push(
      setTimeout(
        () => {
          if (!connected) finish(new ConnectFailure(CONNECT_TIMEOUT));
        },
        Math.max(0, o.connectDeadline - Date.now()),
      ),
      setTimeout(
        () => finish(connected ? new Error(o.afterConnectTimeout) : new ConnectFailure(CONNECT_TIMEOUT)),
        Math.max(0, o.deadline - Date.now()),
      ),
    );
  });
}

/** A socket error before the connection was made. */
function connectFailureOf(err: NodeJS.ErrnoException): ConnectFailure {
  return new ConnectFailure(
    err.code === "ECONNREFUSED" ? "Connection refused" : `Cannot connect: ${err.code ?? err.message}`,
  );
}

/** Node's codes for a failed TLS handshake or record: OpenSSL's (ERR_SSL_*), Node's own, EPROTO. */
export function isTlsError(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code ?? "";
  return code.startsWith("ERR_SSL") || code.startsWith("ERR_TLS") || code === "EPROTO";
}

/** OpenSSL's reason ("wrong version number") rather than its multi-line diagnostic string. */
export function tlsFailureReason(err: NodeJS.ErrnoException & { reason?: unknown }): string {
  if (typeof err.reason === "string" && err.reason) return err.reason;
  // "write EPROTO 80…:error:0A00010B:SSL routines:ssl3_get_record:wrong version number:file:line:"
  const openSslReason = /error:[0-9A-F]+:[^:]*:[^:]*:([^:]+):/.exec(err.message)?.[1];
  return openSslReason ?? (err.message.split("\n")[0]?.trim() || (err.code ?? "unknown error"));
}
