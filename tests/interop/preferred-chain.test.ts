// Issue 12 item 7 with real clients: an alias issues from a sub-CA of root C (its end entity
// profile's default CA) that root D has cross-certified, so each certificate has two chains
// (RFC 8555 §7.4.2 Link rel="alternate").
// certbot's and lego's --preferred-chain pick a chain by the root's common name; each must end up
// with the chain to root D, which openssl verifies against root D alone.
import { X509Certificate } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ChallTestSrv, startChallTestSrv } from "../support/challtestsrv";
import { consoleApi } from "../support/console-api";
import { createTestUserWithToken } from "../support/console-tokens";
import { pemBlocks, runClient, verifyWithOpenssl } from "../support/interop-setup";
import { createTestAlias, enableAcme, keyward, testDb } from "../support/keyward";

const run = Math.random().toString(36).slice(2, 8);
const ROOT_C = `Chain Root C ${run}`;
const ROOT_D = `Chain Root D ${run}`;

let dns: ChallTestSrv;
let directoryUrl: string;
let tlsRoot: string;
let tmp: string;
let rootC: string;
let rootD: string;

/** The issuer line of the first certificate in a PEM file, as openssl prints it. */
function firstIssuer(file: string): string {
  return new X509Certificate(pemBlocks(file)[0] as string).issuer;
}

beforeAll(async () => {
  await enableAcme();
  dns = await startChallTestSrv();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "keyward-chains-"));
  tlsRoot = path.join(keyward().dataDir, "ca", "root.pem");
  const { token } = await createTestUserWithToken(testDb(), "administrator");
  const api = async (pathname: string, body: unknown) => {
    const res = await consoleApi("POST", `/api/console/certificate-authorities${pathname}`, { token, body });
    if (res.status >= 300) throw new Error(`${pathname}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };
  const c = await api("", { kind: "root", subjectDn: `CN=${ROOT_C}, O=Keyward Tests` });
  const d = await api("", { kind: "root", subjectDn: `CN=${ROOT_D}, O=Keyward Tests` });
  const sub = await api("", {
    kind: "sub",
    parentId: c.id,
    subjectDn: `CN=Chain Sub ${run}, O=Keyward Tests`,
  });
  await api(`/${sub.id}/cross-certificates`, { issuerId: d.id });
  const pemOf = async (id: string) => {
    const res = await fetch(`${keyward().httpUrl}/api/console/certificate-authorities/${id}/download`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const file = path.join(tmp, `${id}.pem`);
    fs.writeFileSync(file, await res.text());
    return file;
  };
  rootC = await pemOf(c.id);
  rootD = await pemOf(d.id);
  // Issue 12 item 3: the alias's end entity profile names the CA that signs.
  const profile = await consoleApi("POST", "/api/console/end-entity-profiles", {
    token,
    body: { name: `chain-${run}`, defaultCa: sub.name },
  });
  if (profile.status !== 201) throw new Error(`end entity profile: ${JSON.stringify(profile.body)}`);
  const alias = await createTestAlias({
    dnsResolver: "127.0.0.1",
    dnsPort: dns.dnsPort,
    endEntityProfile: `chain-${run}`,
  });
  directoryUrl = `${keyward().httpsUrl}/acme/${alias}/directory`;
});

afterAll(async () => {
  await dns?.stop();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

describe("--preferred-chain", () => {
  it("certbot picks the cross-signed chain to root D by its name", async () => {
    const configDir = path.join(tmp, "certbot");
    const result = await runClient(
      "/usr/bin/certbot",
      [
        "certonly",
        "--server",
        directoryUrl,
        "--agree-tos",
        "-m",
        "admin@chains.test",
        "--no-eff-email",
        "--key-type",
        "ecdsa",
        "--standalone",
        "--http-01-port",
        String(keyward().http01Port),
        "--http-01-address",
        "127.0.0.1",
        "-d",
        "certbot.chains.test",
        "--preferred-chain",
        ROOT_D,
        "--config-dir",
        configDir,
        "--work-dir",
        path.join(tmp, "certbot-work"),
        "--logs-dir",
        path.join(tmp, "certbot-logs"),
        "--non-interactive",
      ],
      { REQUESTS_CA_BUNDLE: tlsRoot },
    );
    expect(result.code, result.output).toBe(0);
    const live = (file: string) => path.join(configDir, "live", "certbot.chains.test", file);
    expect(firstIssuer(live("chain.pem"))).toContain(ROOT_D);
    expect(verifyWithOpenssl(rootD, live("chain.pem"), live("cert.pem"), tmp)).toMatch(/: OK\s*$/);
    // Not the default chain: root C alone does not verify what certbot kept.
    expect(verifyWithOpenssl(rootC, live("chain.pem"), live("cert.pem"), tmp)).not.toMatch(/: OK\s*$/);
  });

  it("lego picks the cross-signed chain to root D by its name", async () => {
    const dir = path.join(tmp, "lego");
    const result = await runClient(
      "/usr/bin/lego",
      [
        "--server",
        directoryUrl,
        "--accept-tos",
        "--email",
        "admin@chains.test",
        "--path",
        dir,
        "--key-type",
        "ec256",
        "--domains",
        "lego.chains.test",
        "--http",
        "--http.port",
        `127.0.0.1:${keyward().http01Port}`,
        "run",
        "--preferred-chain",
        ROOT_D,
      ],
      { LEGO_CA_CERTIFICATES: tlsRoot },
    );
    expect(result.code, result.output).toBe(0);
    const issuer = path.join(dir, "certificates", "lego.chains.test.issuer.crt");
    const cert = path.join(dir, "certificates", "lego.chains.test.crt");
    expect(firstIssuer(issuer)).toContain(ROOT_D);
    // lego's .crt is the leaf followed by the chain it chose.
    const leaf = path.join(tmp, "lego-leaf.pem");
    fs.writeFileSync(leaf, pemBlocks(cert)[0] as string);
    expect(verifyWithOpenssl(rootD, issuer, leaf, tmp)).toMatch(/: OK\s*$/);
  });
});
