// The interop project: real ACME clients (Debian certbot and lego) against one running Keyward.
// Its global setup is the integration one (a real server on a fresh database), preceded by a
// check that the clients exist; the rest of this file is what the interop tests share: running a
// client bounded in time and stopped by PID, and the openssl checks a user would make on the
// files the client wrote.
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import type { TestProject } from "vitest/node";
import startKeyward from "./global-setup";

/** Programs the interop tests drive; `npm test` installs their Debian packages (scripts/test.ts). */
const INTEROP_PROGRAMS = [
  "/usr/bin/certbot",
  "/usr/bin/lego",
  "/usr/bin/openssl",
  "/usr/bin/pebble-challtestsrv",
];

export default async function setup(project: TestProject) {
  const missing = INTEROP_PROGRAMS.filter((file) => !fs.existsSync(file));
  if (missing.length > 0) {
    throw new Error(
      `The interop tests need ${missing.join(", ")}: apt-get install certbot lego openssl pebble`,
    );
  }
  return startKeyward(project);
}

export type ClientRun = { code: number | null; output: string };

/** Longest any one client command may run: each takes a few seconds against a local server. */
export const CLIENT_TIMEOUT_MS = 90_000;

/**
 * Runs a client to completion with its output captured. On timeout the client is killed by its
 * PID and the run reports code null, so a hung client fails its test instead of the suite.
 */
export function runClient(
  command: string,
  args: string[],
  env: Record<string, string>,
  timeoutMs = CLIENT_TIMEOUT_MS,
): Promise<ClientRun> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { env: minimalEnvironment(env), stdio: ["ignore", "pipe", "pipe"] });
    let output = `$ ${command} ${args.join(" ")}\n`;
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    const timer = setTimeout(() => {
      output += `\n[killed after ${timeoutMs} ms]`;
      if (child.pid !== undefined && child.exitCode === null) process.kill(child.pid, "SIGKILL");
    }, timeoutMs);
    child.once("error", (err) => {
      clearTimeout(timer);
      resolve({ code: null, output: `${output}\n${err.message}` });
    });
    child.once("close", (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

/** PATH and HOME plus `extra`: no proxy, CA bundle or other setting of the machine reaches the client. */
export function minimalEnvironment(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of Object.keys(env)) if (name !== "PATH" && name !== "HOME") delete env[name];
  return Object.assign(env, extra);
}

function openssl(args: string[], input?: string): { ok: boolean; text: string } {
  const r = spawnSync("/usr/bin/openssl", args, { input, encoding: "utf8", timeout: 10_000 });
  return { ok: r.status === 0, text: `${r.stdout}${r.stderr}` };
}

/** The PEM blocks of a file, in order. */
export function pemBlocks(file: string): string[] {
  return (
    fs.readFileSync(file, "utf8").match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n?/g) ??
    []
  );
}

/**
 * `openssl verify -CAfile root -untrusted chain leaf` for a TLS server certificate; returns its
 * output ("<leaf>: OK" when the chain holds). `leafFile` may be a bundle: its first block is the leaf.
 */
export function verifyWithOpenssl(
  root: string,
  chainFile: string,
  leafFile: string,
  workDir: string,
): string {
  const leaf = path.join(workDir, `leaf-${path.basename(leafFile)}`);
  fs.writeFileSync(leaf, pemBlocks(leafFile)[0] ?? "");
  return openssl(["verify", "-CAfile", root, "-untrusted", chainFile, "-purpose", "sslserver", leaf]).text;
}

/** The DNS names of a certificate's subjectAltName, sorted. */
export function subjectAltNames(certFile: string): string[] {
  const pem = pemBlocks(certFile)[0] ?? "";
  const { text } = openssl(["x509", "-noout", "-ext", "subjectAltName"], pem);
  return [...text.matchAll(/DNS:([^,\s]+)/g)].map((m) => m[1] as string).sort();
}

/** The serial number as Keyward stores it (lowercase hex). */
export function serialHex(certFile: string): string {
  const pem = pemBlocks(certFile)[0] ?? "";
  const { text } = openssl(["x509", "-noout", "-serial"], pem);
  return (text.trim().split("=")[1] ?? "").toLowerCase();
}

/** The public key algorithm line of `openssl x509 -text`, e.g. "id-ecPublicKey". */
export function publicKeyAlgorithm(certFile: string): string {
  const pem = pemBlocks(certFile)[0] ?? "";
  const { text } = openssl(["x509", "-noout", "-text"], pem);
  return /Public Key Algorithm: (\S+)/.exec(text)?.[1] ?? "";
}

/** The serials (lowercase hex) a DER CRL lists, read with `openssl crl`. */
export function crlSerials(crlDer: Buffer, workDir: string): string[] {
  const file = path.join(workDir, `crl-${Date.now()}.der`);
  fs.writeFileSync(file, crlDer);
  const { text } = openssl(["crl", "-inform", "DER", "-in", file, "-noout", "-text"]);
  return [...text.matchAll(/Serial Number: ([0-9A-Fa-f]+)/g)].map((m) => (m[1] as string).toLowerCase());
}
