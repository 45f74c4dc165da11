// Keyward's log (issue 17 item 3): one JSON object per line on stdout (pino) with time, level and
// message, for a log system to read; human-readable (pino-pretty, loaded only then) when stdout is
// a terminal. KEYWARD_LOG_LEVEL sets the level.
//
// No secret reaches a line: services never pass one to the logger, and as a second guard the
// fields that could hold one are censored wherever they appear (REDACTED_PATHS). Request lines
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
// key material, next-auth's objects). Censored at any depth pino's redaction reaches.
const SECRET_FIELDS = [
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
];
const REDACTED_PATHS = SECRET_FIELDS.flatMap((f) => [f, `*.${f}`, `*.*.${f}`, `*.headers["${f}"]`]);

function createLogger(): Logger {
  const options: pino.LoggerOptions = {
    level: env().KEYWARD_LOG_LEVEL,
    base: { pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    redact: { paths: REDACTED_PATHS, censor: "[redacted]" },
    // Every line written while a request is handled names it.
    mixin: () => {
      const request = currentRequest();
      return request ? { requestId: request.requestId } : {};
    },
  };
  if (process.stdout.isTTY) {
    // Only for a person at a terminal: a log system gets the JSON lines.
    const pretty = createRequire(import.meta.url)("pino-pretty") as (o: object) => NodeJS.WritableStream;
    return pino(options, pretty({ colorize: true, sync: true, translateTime: "SYS:HH:MM:ss.l" }));
  }
  // Synchronous: no line is lost when the process exits right after writing it.
  return pino(options, pino.destination({ fd: 1, sync: true }));
}

/** The process's logger. */
export function logger(): Logger {
  const holder = globalThis as { [LOGGER_KEY]?: Logger };
  holder[LOGGER_KEY] ??= createLogger();
  return holder[LOGGER_KEY];
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

/** A line for scripts that read the server's output (KEYWARD_READY, KEYWARD_STATS): never JSON-wrapped. */
export function writeMachineLine(line: string): void {
  process.stdout.write(`${line}\n`);
}
