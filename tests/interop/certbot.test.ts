// Debian's certbot against Keyward over HTTPS, trusting only Keyward's root: registration,
// http-01 with certbot's own standalone responder on the port Keyward's VA connects to, a
// wildcard over dns-01 with a manual auth hook that writes the TXT record into pebble-challtestsrv
// (the alias's DNS resolver), forced renewal and revocation, and registration with an external
// account binding key (--eab-kid, --eab-hmac-key) on an alias that requires one — checked the way
// a user would: exit codes, the files in live/, openssl, and the state on Keyward and its CRL.
import { X509Certificate } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ChallTestSrv, startChallTestSrv } from "../support/challtestsrv";
import { createMacKeyThroughApi } from "../support/eab-api";
import {
  crlSerials,
  publicKeyAlgorithm,
  runClient,
  serialHex,
  subjectAltNames,
  verifyWithOpenssl,
} from "../support/interop-setup";
import { createTestAlias, enableAcme, keyward, testDb } from "../support/keyward";

const CERTBOT = "/usr/bin/certbot";
const HTTP_NAMES = ["api.certbot.test", "www.certbot.test"];
const WILDCARD_NAMES = ["*.wild.certbot.test", "wild.certbot.test"];

let dns: ChallTestSrv;
let alias: string;
let directoryUrl: string;
let root: string;
let tmp: string;
let configDir: string;

// certbot runs hooks through the shell with CERTBOT_DOMAIN (the name without "*.") and
// CERTBOT_VALIDATION set; the management URL comes from certbot's own environment. The hook is an
// executable script because certbot looks up a hook's first word, unquoted, in PATH.
const HOOK = `#!${process.execPath}
const [mode] = process.argv.slice(2);
const host = "_acme-challenge." + process.env.CERTBOT_DOMAIN + ".";
const body = mode === "auth" ? { host, value: process.env.CERTBOT_VALIDATION } : { host };
const res = await fetch(process.env.CHALLTESTSRV_URL + (mode === "auth" ? "/set-txt" : "/clear-txt"), {
  method: "POST",
  body: JSON.stringify(body),
  signal: AbortSignal.timeout(5000),
});
process.exit(res.ok ? 0 : 1);
`;

/** Flags every certbot command gets: isolated directories, no prompts, no random sleep. */
function commonFlags(): string[] {
  return [
    "--config-dir",
    configDir,
    "--work-dir",
    path.join(tmp, "work"),
    "--logs-dir",
    path.join(tmp, "logs"),
    "--non-interactive",
    "--no-random-sleep-on-renew",
  ];
}

function certbot(args: string[]) {
  return runClient(CERTBOT, [...args, ...commonFlags()], {
    REQUESTS_CA_BUNDLE: root,
    CHALLTESTSRV_URL: dns.managementUrl,
  });
}

function live(lineage: string, file: "cert.pem" | "chain.pem" | "fullchain.pem" | "privkey.pem") {
  return path.join(configDir, "live", lineage, file);
}

beforeAll(async () => {
  await enableAcme();
  dns = await startChallTestSrv();
  alias = await createTestAlias({
    wildcardCertificateIssuanceAllowed: true,
    dnsResolver: "127.0.0.1",
    dnsPort: dns.dnsPort,
  });
  directoryUrl = `${keyward().httpsUrl}/acme/${alias}/directory`;
  root = path.join(keyward().dataDir, "ca", "root.pem");
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "keyward-certbot-"));
  configDir = path.join(tmp, "config");
  fs.writeFileSync(path.join(tmp, "hook.mjs"), HOOK, { mode: 0o755 });
});

afterAll(async () => {
  await dns?.stop();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

describe("certbot", () => {
  const serials: Record<string, string> = {};

  it("registers and issues for two names over http-01 with its standalone responder", async () => {
    const run = await certbot([
      "certonly",
      "--server",
      directoryUrl,
      "--agree-tos",
      "-m",
      "admin@certbot.test",
      "--no-eff-email",
      "--key-type",
      "ecdsa",
      "--standalone",
      "--http-01-port",
      String(keyward().http01Port),
      "--http-01-address",
      "127.0.0.1",
      ...HTTP_NAMES.flatMap((name) => ["-d", name]),
    ]);
    expect(run.code, run.output).toBe(0);

    const accounts = await testDb().account.findMany({ where: { alias: { name: alias } } });
    expect(accounts).toHaveLength(1);
    expect(accounts[0]?.contact).toEqual(["mailto:admin@certbot.test"]);

    const lineage = "api.certbot.test";
    for (const file of ["cert.pem", "chain.pem", "fullchain.pem", "privkey.pem"] as const) {
      expect(fs.existsSync(live(lineage, file)), file).toBe(true);
    }
    expect(verifyWithOpenssl(root, live(lineage, "chain.pem"), live(lineage, "cert.pem"), tmp)).toMatch(
      /: OK\s*$/,
    );
    expect(subjectAltNames(live(lineage, "cert.pem"))).toEqual(HTTP_NAMES);
    expect(publicKeyAlgorithm(live(lineage, "cert.pem"))).toBe("id-ecPublicKey");
    serials.http = serialHex(live(lineage, "cert.pem"));
  });

  it("issues a wildcard over dns-01 with a manual auth hook", async () => {
    const hook = (mode: string) => `${path.join(tmp, "hook.mjs")} ${mode}`;
    const run = await certbot([
      "certonly",
      "--server",
      directoryUrl,
      "--agree-tos",
      "-m",
      "admin@certbot.test",
      "--no-eff-email",
      "--key-type",
      "ecdsa",
      "--manual",
      "--preferred-challenges",
      "dns",
      "--manual-auth-hook",
      hook("auth"),
      "--manual-cleanup-hook",
      hook("cleanup"),
      ...WILDCARD_NAMES.flatMap((name) => ["-d", name]),
    ]);
    expect(run.code, run.output).toBe(0);

    const lineage = "wild.certbot.test";
    expect(verifyWithOpenssl(root, live(lineage, "chain.pem"), live(lineage, "cert.pem"), tmp)).toMatch(
      /: OK\s*$/,
    );
    expect(subjectAltNames(live(lineage, "cert.pem"))).toEqual(WILDCARD_NAMES);
    serials.wildcard = serialHex(live(lineage, "cert.pem"));
  });

  it("renews both certificates with renew --force-renewal", async () => {
    const run = await certbot(["renew", "--force-renewal"]);
    expect(run.code, run.output).toBe(0);
    expect(run.output).toMatch(/all renewals succeeded/i);

    for (const [lineage, names, before] of [
      ["api.certbot.test", HTTP_NAMES, serials.http],
      ["wild.certbot.test", WILDCARD_NAMES, serials.wildcard],
    ] as const) {
      // certbot keeps every version in archive/ and points live/ at the newest.
      expect(fs.realpathSync(live(lineage, "cert.pem"))).toMatch(/cert2\.pem$/);
      expect(serialHex(live(lineage, "cert.pem"))).not.toBe(before);
      expect(verifyWithOpenssl(root, live(lineage, "chain.pem"), live(lineage, "cert.pem"), tmp)).toMatch(
        /: OK\s*$/,
      );
      expect(subjectAltNames(live(lineage, "cert.pem"))).toEqual(names);
    }
  });

  it("revokes the renewed certificate; Keyward and its CRL show it revoked", async () => {
    const certPath = live("api.certbot.test", "cert.pem");
    const serial = serialHex(certPath);
    const run = await certbot([
      "revoke",
      "--server",
      directoryUrl,
      "--cert-path",
      certPath,
      "--reason",
      "superseded",
      "--no-delete-after-revoke",
    ]);
    expect(run.code, run.output).toBe(0);

    const row = await testDb().certificate.findUniqueOrThrow({ where: { serialHex: serial } });
    expect(row.status).toBe("revoked");
    expect(row.revocationReason).toBe(4); // RFC 5280 §5.3.1 superseded

    const crl = await fetch(`${keyward().httpUrl}/ca/crl/${row.issuerId}`, {
      signal: AbortSignal.timeout(10_000),
    });
    expect(crl.status).toBe(200);
    expect(crlSerials(Buffer.from(await crl.arrayBuffer()), tmp)).toContain(serial);

    // The other lineage is untouched.
    const other = await testDb().certificate.findUniqueOrThrow({
      where: { serialHex: serialHex(live("wild.certbot.test", "cert.pem")) },
    });
    expect(other.status).toBe("valid");
  });

  it("registers with an EAB key (--eab-kid, --eab-hmac-key) on an alias that requires one, and issues", async () => {
    const eabAlias = await createTestAlias({
      requireExternalAccountBinding: true,
      dnsResolver: "127.0.0.1",
      dnsPort: dns.dnsPort,
    });
    const eabDirectoryUrl = `${keyward().httpsUrl}/acme/${eabAlias}/directory`;
    const flags = (names: string[]) => [
      "certonly",
      "--server",
      eabDirectoryUrl,
      "--agree-tos",
      "-m",
      "eab@certbot.test",
      "--no-eff-email",
      "--standalone",
      "--http-01-port",
      String(keyward().http01Port),
      "--http-01-address",
      "127.0.0.1",
      ...names.flatMap((name) => ["-d", name]),
    ];
    // Without a binding certbot cannot register: it says what the server answered.
    const refused = await certbot(flags(["refused.certbot.test"]));
    expect(refused.code).not.toBe(0);
    expect(refused.output).toMatch(/external account binding/i);

    const { key, secret } = await createMacKeyThroughApi(eabAlias);
    const run = await certbot([
      ...flags(["eab.certbot.test"]),
      // name=value: a base64url key or kid may begin with "-", which argparse takes for an option.
      `--eab-kid=${secret.keyIdentifier}`,
      `--eab-hmac-key=${secret.hmacKey}`,
    ]);
    expect(run.code, run.output).toBe(0);
    const accounts = await testDb().account.findMany({ where: { alias: { name: eabAlias } } });
    expect(accounts).toHaveLength(1);
    expect(accounts[0]).toMatchObject({ eabKeyId: key.id, eabKeyIdentifier: secret.keyIdentifier });
    expect(
      verifyWithOpenssl(
        root,
        live("eab.certbot.test", "chain.pem"),
        live("eab.certbot.test", "cert.pem"),
        tmp,
      ),
    ).toMatch(/: OK\s*$/);
    expect(subjectAltNames(live("eab.certbot.test", "cert.pem"))).toEqual(["eab.certbot.test"]);
  });

  it("an alias with a non-default profile: the certificate has its 30 days, serverAuth and clientAuth, and a CN", async () => {
    // Written straight into the database: the console API's side is tests/integration/profiles.test.ts.
    const certificateProfile = await testDb().certificateProfile.create({
      data: {
        name: `certbot-ecdsa-${Date.now()}`,
        keyAlgorithms: ["ECDSA"],
        ecdsaCurves: ["P-256"],
        rsaBitLengths: [2048],
        validity: "30d",
        validitySeconds: 30 * 86_400,
        keyUsages: ["digitalSignature"],
        extendedKeyUsages: ["serverAuth", "clientAuth"],
        availableCaIds: [],
      },
    });
    const endEntityProfile = await testDb().endEntityProfile.create({
      data: {
        name: `certbot-web-${Date.now()}`,
        subjectDnAttributes: [],
        maxDnsNames: 2,
        maxIpAddresses: 0,
        defaultCertificateProfileId: certificateProfile.id,
      },
    });
    const profiled = await createTestAlias({
      endEntityProfile: endEntityProfile.name,
      dnsResolver: "127.0.0.1",
      dnsPort: dns.dnsPort,
    });
    // (Refusals of keys outside the profile are tested over raw HTTP in tests/integration/
    // profiles.test.ts: this certbot crashes with "AttributeError: can't set attribute" on
    // --key-type rsa before it shows the server's answer.)
    const flags = (keyType: string, name: string) => [
      "certonly",
      "--server",
      `${keyward().httpsUrl}/acme/${profiled}/directory`,
      "--agree-tos",
      "-m",
      "profile@certbot.test",
      "--no-eff-email",
      "--key-type",
      keyType,
      "--standalone",
      "--http-01-port",
      String(keyward().http01Port),
      "--http-01-address",
      "127.0.0.1",
      "-d",
      name,
    ];
    const run = await certbot(flags("ecdsa", "ecdsa.profile.certbot.test"));
    expect(run.code, run.output).toBe(0);
    const cert = new X509Certificate(fs.readFileSync(live("ecdsa.profile.certbot.test", "cert.pem")));
    expect(Math.round((Date.parse(cert.validTo) - Date.parse(cert.validFrom)) / 86_400_000)).toBe(30);
    // certbot puts the names in the SAN only: one is written into the subject CN.
    expect(cert.subject).toBe("CN=ecdsa.profile.certbot.test");
    expect(cert.keyUsage).toEqual(["1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"]);
  });
});
