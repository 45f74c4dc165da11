// Keyward's log (issue 17 item 3): one JSON object per line on stdout (pino) with time, level and
// message, for a log system to read; human-readable (pino-pretty, loaded only then) when stdout is
// a terminal. KEYWARD_LOG_LEVEL sets the level.
//
// No secret reaches a line: services never pass one to the logger, and as a second guard the
// fields that could hold one are censored wherever they appear (censorSecrets). Request lines
// carry the path without its query.
//
// The logger lives on globalThis, as the metrics do: the Next app's bundle shares the server's.
import { createRequire } from "node:module";
import { format } from "node:util";
import pino, { type Logger } from "pino";
import { env } from "@/lib/env";
import { currentRequest } from "./request-context";

const LOGGER_KEY = Symbol.for("keyward.logger");

// Field names that hold a secret in some object a caller might log (headers, form bodies, EAB
// key material, next-auth's objects), compared without case. Censored at any depth up to
// CENSOR_DEPTH.
const SECRET_FIELDS = new Set(
  [
    "authorization",
    "cookie",
    "set-cookie",
    "password",
    "newPassword",
    "currentPassword",
    "oneTimePassword",
    "token",
    "secret",
    "hmacKey",
    "macKey",
    "privateKey",
    "masterKey",
  ].map((f) => f.toLowerCase()),
);
const CENSOR_DEPTH = 4;
export const CENSORED = "[redacted]";

/**
 * The object with every secret field's value replaced by CENSORED, in plain objects and arrays
 * down to CENSOR_DEPTH levels; the same object when there is nothing to censor. Copies only what
 * it changes: a request's log line (a handful of scalars) costs a few key lookups. (pino's own
 * `redact` with wildcard paths cost ~70 µs per line, more than the rest of a newNonce request.)
 */
export function censorSecrets<T>(value: T, depth = CENSOR_DEPTH): T {
  if (depth === 0 || typeof value !== "object" || value === null) return value;
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    value.forEach((item, i) => {
      const censored = censorSecrets(item, depth - 1);
      if (censored === item) return;
      copy ??= [...value];
      copy[i] = censored;
    });
    return (copy ?? value) as T;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return value; // errors go through pino's serializer
  let copy: Record<string, unknown> | undefined;
  for (const [key, item] of Object.entries(value)) {
    const censored = SECRET_FIELDS.has(key.toLowerCase()) ? CENSORED : censorSecrets(item, depth - 1);
    if (censored === item) continue;
    copy ??= { ...(value as Record<string, unknown>) };
    copy[key] = censored;
  }
  return (copy ?? value) as T;
}

/** The logger's options: JSON lines with ISO times, secrets censored, the request named. */
export function loggerOptions(level: string): pino.LoggerOptions {
  return {
    level,
    base: { pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }), log: (object) => censorSecrets(object) },
    // An error's own fields (a failed request's options, say), copied out of the serializer's
    // object so that censorSecrets sees a plain one.
    serializers: { err: (err) => censorSecrets({ ...pino.stdSerializers.err(err) }) },
    // Every line written while a request is handled names it.
    mixin: () => {
      const request = currentRequest();
      return request ? { requestId: request.requestId } : {};
    },
  };
}

type LogOutput = { logger: Logger; write: (line: string) => void };

function createOutput(): LogOutput {
  const options = loggerOptions(env().KEYWARD_LOG_LEVEL);
  if (process.stdout.isTTY) {
    // Only for a person at a terminal: a log system gets the JSON lines.
    const pretty = createRequire(import.meta.url)("pino-pretty") as (o: object) => NodeJS.WritableStream;
    return {
      logger: pino(options, pretty({ colorize: true, sync: true, translateTime: "SYS:HH:MM:ss.l" })),
      write: (line) => process.stdout.write(line),
    };
  }
  // Asynchronous: a slow reader of stdout (a log shipper, a full pipe) must not stall requests
  // while the writer sleeps and retries, as a synchronous destination does. pino flushes what is
  // buffered when the process exits, so no line is lost on exit.
  const destination = pino.destination({ fd: 1, sync: false });
  return { logger: pino(options, destination), write: (line) => destination.write(line) };
}

function output(): LogOutput {
  const holder = globalThis as { [LOGGER_KEY]?: LogOutput };
  holder[LOGGER_KEY] ??= createOutput();
  return holder[LOGGER_KEY];
}

/** The process's logger. */
export function logger(): Logger {
  return output().logger;
}

/** Whether log lines are for a person (a terminal) rather than a log system. */
export function isLogForHumans(): boolean {
  return process.stdout.isTTY === true;
}

/**
 * Sends console.log/info/warn/error/debug through the logger, so that what libraries (Next,
 * next-auth, Prisma) and older code print becomes JSON lines too. Not for a terminal: there the
 * console's own output is the readable one.
 */
export function routeConsoleToLogger(): void {
  if (isLogForHumans()) return;
  const log = logger();
  const route =
    (level: "debug" | "info" | "warn" | "error") =>
    (...args: unknown[]) => {
      const err = args.find((a): a is Error => a instanceof Error);
      const message = format(...args.filter((a) => a !== err));
      if (err) log[level]({ err }, message);
      else log[level](message);
    };
  console.log = route("info");
  console.info = route("info");
  console.warn = route("warn");
  console.error = route("error");
  console.debug = route("debug");
}

/**
 * A line for scripts that read the server's output (KEYWARD_READY, KEYWARD_STATS): never
 * JSON-wrapped, and through the log's own destination so that it never lands inside a log line.
 */
export function writeMachineLine(line: string): void {
  output().write(`${line}\n`);
}
