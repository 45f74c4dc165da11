// Debian's lego against Keyward over HTTPS, trusting only Keyward's root (LEGO_CA_CERTIFICATES):
// registration, http-01 with lego's own responder on the port Keyward's VA connects to, a
// wildcard over dns-01 through the `exec` provider writing TXT records into pebble-challtestsrv
// (the alias's DNS resolver, and lego's too), renewal and revocation, and registration with an
// external account binding key (--eab --kid --hmac) on an alias that requires one — checked the
// way a user would: exit codes, the files in certificates/, openssl, and the state on Keyward and
// its CRL.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ChallTestSrv, startChallTestSrv } from "../support/challtestsrv";
import { createMacKeyThroughApi } from "../support/eab-api";
import {
  crlSerials,
  pemBlocks,
  runClient,
  serialHex,
  subjectAltNames,
  verifyWithOpenssl,
} from "../support/interop-setup";
import { createTestAlias, enableAcme, keyward, testDb } from "../support/keyward";

const LEGO = "/usr/bin/lego";
const HTTP_NAMES = ["api.lego.test", "www.lego.test"];
const WILDCARD_NAMES = ["*.wild.lego.test", "wild.lego.test"];

let dns: ChallTestSrv;
let alias: string;
let directoryUrl: string;
let root: string;
let tmp: string;

// lego's exec provider runs EXEC_PATH with "present|cleanup <fqdn> <value>".
const EXEC_SCRIPT = `#!${process.execPath}
const [mode, fqdn, value] = process.argv.slice(2);
const body = mode === "present" ? { host: fqdn, value } : { host: fqdn };
const res = await fetch(process.env.CHALLTESTSRV_URL + (mode === "present" ? "/set-txt" : "/clear-txt"), {
  method: "POST",
  body: JSON.stringify(body),
  signal: AbortSignal.timeout(5000),
});
process.exit(res.ok ? 0 : 1);
`;

function lego(
  names: string[],
  challengeFlags: string[],
  command: string[],
  // lego keeps one account per server host and email under --path: another alias gets its own.
  o: { server?: string; dir?: string; extra?: string[] } = {},
) {
  const args = [
    "--server",
    o.server ?? directoryUrl,
    "--accept-tos",
    "--email",
    "admin@lego.test",
    "--path",
    path.join(tmp, o.dir ?? "lego"),
    ...(o.extra ?? []),
    "--key-type",
    "ec256",
    ...names.flatMap((name) => ["--domains", name]),
    ...challengeFlags,
    ...command,
  ];
  return runClient(LEGO, args, {
    LEGO_CA_CERTIFICATES: root,
    CHALLTESTSRV_URL: dns.managementUrl,
    EXEC_PATH: path.join(tmp, "exec.mjs"),
    // The exec provider waits 60 s between two challenges by default (EXEC_SEQUENCE_INTERVAL)
    // and polls propagation every 3 s: a local mock DNS needs neither.
    EXEC_SEQUENCE_INTERVAL: "1",
    EXEC_POLLING_INTERVAL: "1",
    EXEC_PROPAGATION_TIMEOUT: "30",
  });
}

const http01 = () => ["--http", "--http.port", `127.0.0.1:${keyward().http01Port}`];
// lego asks the mock DNS itself, and does not look for authoritative servers it cannot find there.
const dns01 = () => ["--dns", "exec", "--dns.resolvers", `127.0.0.1:${dns.dnsPort}`, "--dns.disable-cp"];

function certificateFile(name: string, ext: "crt" | "issuer.crt" | "key" | "json") {
  return path.join(tmp, "lego", "certificates", `${name.replace("*", "_")}.${ext}`);
}

beforeAll(async () => {
  await enableAcme();
  dns = await startChallTestSrv();
  // lego polls an authorization after 5 s unless the server sends Retry-After (RFC 8555 §8.2):
  // the alias sends 1 s, which also exercises the header.
  alias = await createTestAlias({
    wildcardCertificateIssuanceAllowed: true,
    dnsResolver: "127.0.0.1",
    dnsPort: dns.dnsPort,
    retryAfterSeconds: 1,
  });
  directoryUrl = `${keyward().httpsUrl}/acme/${alias}/directory`;
  root = path.join(keyward().dataDir, "ca", "root.pem");
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "keyward-lego-"));
  fs.writeFileSync(path.join(tmp, "exec.mjs"), EXEC_SCRIPT, { mode: 0o755 });
});

afterAll(async () => {
  await dns?.stop();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

describe("lego", () => {
  const serials: Record<string, string> = {};

  it("registers and issues for two names over http-01 with its own responder", async () => {
    const run = await lego(HTTP_NAMES, http01(), ["run"]);
    expect(run.code, run.output).toBe(0);

    const accounts = await testDb().account.findMany({ where: { alias: { name: alias } } });
    expect(accounts).toHaveLength(1);
    expect(accounts[0]?.contact).toEqual(["mailto:admin@lego.test"]);

    const name = HTTP_NAMES[0] as string;
    for (const ext of ["crt", "issuer.crt", "key", "json"] as const) {
      expect(fs.existsSync(certificateFile(name, ext)), ext).toBe(true);
    }
    // lego's .crt is the bundle: leaf, then the issuing CA (the same as .issuer.crt).
    expect(pemBlocks(certificateFile(name, "crt"))).toHaveLength(2);
    expect(pemBlocks(certificateFile(name, "crt"))[1]).toBe(
      pemBlocks(certificateFile(name, "issuer.crt"))[0],
    );
    expect(
      verifyWithOpenssl(root, certificateFile(name, "issuer.crt"), certificateFile(name, "crt"), tmp),
    ).toMatch(/: OK\s*$/);
    expect(subjectAltNames(certificateFile(name, "crt"))).toEqual(HTTP_NAMES);
    serials.http = serialHex(certificateFile(name, "crt"));
  });

  it("issues a wildcard over dns-01 with the exec provider", async () => {
    const run = await lego(WILDCARD_NAMES, dns01(), ["run"]);
    expect(run.code, run.output).toBe(0);

    const name = WILDCARD_NAMES[0] as string;
    expect(
      verifyWithOpenssl(root, certificateFile(name, "issuer.crt"), certificateFile(name, "crt"), tmp),
    ).toMatch(/: OK\s*$/);
    expect(subjectAltNames(certificateFile(name, "crt"))).toEqual(WILDCARD_NAMES);
  });

  it("renews with renew --days 100", async () => {
    const run = await lego(HTTP_NAMES, http01(), ["renew", "--days", "100", "--no-random-sleep"]);
    expect(run.code, run.output).toBe(0);

    const name = HTTP_NAMES[0] as string;
    expect(serialHex(certificateFile(name, "crt"))).not.toBe(serials.http);
    expect(
      verifyWithOpenssl(root, certificateFile(name, "issuer.crt"), certificateFile(name, "crt"), tmp),
    ).toMatch(/: OK\s*$/);
    expect(subjectAltNames(certificateFile(name, "crt"))).toEqual(HTTP_NAMES);
  });

  it("revokes the renewed certificate; Keyward and its CRL show it revoked", async () => {
    const name = HTTP_NAMES[0] as string;
    const serial = serialHex(certificateFile(name, "crt"));
    // lego revokes the certificate of each --domains value it is given: name the one certificate.
    const run = await lego([name], [], ["revoke", "--reason", "4"]);
    expect(run.code, run.output).toBe(0);
    // Without --keep, lego moves the revoked certificate to archives/.
    expect(fs.existsSync(certificateFile(name, "crt"))).toBe(false);

    const row = await testDb().certificate.findUniqueOrThrow({ where: { serialHex: serial } });
    expect(row.status).toBe("revoked");
    expect(row.revocationReason).toBe(4); // RFC 5280 §5.3.1 superseded

    const crl = await fetch(`${keyward().httpUrl}/ca/crl/${row.issuerId}`, {
      signal: AbortSignal.timeout(10_000),
    });
    expect(crl.status).toBe(200);
    expect(crlSerials(Buffer.from(await crl.arrayBuffer()), tmp)).toContain(serial);

    // The first certificate for the same names was not revoked with it.
    expect(
      (await testDb().certificate.findUniqueOrThrow({ where: { serialHex: serials.http } })).status,
    ).toBe("valid");
  });

  it("registers with an EAB key (--eab --kid --hmac) on an alias that requires one, and issues", async () => {
    const eabAlias = await createTestAlias({
      requireExternalAccountBinding: true,
      dnsResolver: "127.0.0.1",
      dnsPort: dns.dnsPort,
      retryAfterSeconds: 1,
    });
    const server = `${keyward().httpsUrl}/acme/${eabAlias}/directory`;
    const refused = await lego(["refused.lego.test"], http01(), ["run"], { server, dir: "lego-refused" });
    expect(refused.code).not.toBe(0);
    expect(refused.output).toMatch(/externalAccountRequired|external account binding/i);

    const { key, secret } = await createMacKeyThroughApi(eabAlias);
    const name = "eab.lego.test";
    const run = await lego([name], http01(), ["run"], {
      server,
      dir: "lego-eab",
      // name=value: a base64url key or kid may begin with "-".
      extra: ["--eab", `--kid=${secret.keyIdentifier}`, `--hmac=${secret.hmacKey}`],
    });
    expect(run.code, run.output).toBe(0);
    const accounts = await testDb().account.findMany({ where: { alias: { name: eabAlias } } });
    expect(accounts).toHaveLength(1);
    expect(accounts[0]).toMatchObject({ eabKeyId: key.id, eabKeyIdentifier: secret.keyIdentifier });
    const crt = path.join(tmp, "lego-eab", "certificates", `${name}.crt`);
    const issuer = path.join(tmp, "lego-eab", "certificates", `${name}.issuer.crt`);
    expect(verifyWithOpenssl(root, issuer, crt, tmp)).toMatch(/: OK\s*$/);
    expect(subjectAltNames(crt)).toEqual([name]);
  });
});
