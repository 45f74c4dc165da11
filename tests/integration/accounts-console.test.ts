// The console's Accounts (API): search by alias, status, contact and key thumbprint; an account
// with its orders, certificates and agreed terms; deactivation by an administrator (audited), and
// by nobody else.
import { calculateJwkThumbprint } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { generateTestKey, RawAcmeClient, type TestKey } from "../support/acme-signer";
import { consoleApi } from "../support/console-api";
import { createTestUserWithToken } from "../support/console-tokens";
import { createTestAlias, directoryUrl, enableAcme, testDb } from "../support/keyward";

let admin: string;
let auditor: string;
let approver: string;
let alias: string;
let client: RawAcmeClient;
const accounts: { key: TestKey; url: string; id: string }[] = [];

beforeAll(async () => {
  await enableAcme();
  admin = (await createTestUserWithToken(testDb(), "administrator")).token;
  auditor = (await createTestUserWithToken(testDb(), "auditor")).token;
  approver = (await createTestUserWithToken(testDb(), "approver")).token;
  alias = await createTestAlias();
  client = await new RawAcmeClient(directoryUrl(alias)).init();
  for (const contact of [
    ["mailto:ops@shop.example"],
    ["mailto:billing@shop.example"],
    ["mailto:me@other.example"],
  ]) {
    const key = await generateTestKey();
    const res = await client.signedPost(key, client.directory.newAccount as string, { contact });
    const url = res.headers.get("location") as string;
    accounts.push({ key, url, id: url.split("/").pop() as string });
  }
});

const search = (query: string, token = auditor) =>
  consoleApi("GET", `/api/console/accounts?${query}`, { token });
const ids = (body: { items: { id: string }[] }) => body.items.map((a) => a.id).sort();

describe("account search", () => {
  it("ok/by alias, part of a contact, key thumbprint prefix and status; every role reads", async () => {
    const all = await search(`alias=${alias}`);
    expect(all.status).toBe(200);
    expect(all.body.total).toBe(3);
    expect(ids(all.body)).toEqual(accounts.map((a) => a.id).sort());
    expect(all.body.items[0]).toMatchObject({ alias, status: "valid", orderCount: 0, certificateCount: 0 });

    expect(ids((await search(`alias=${alias}&contact=SHOP.example`)).body)).toEqual(
      [accounts[0]?.id, accounts[1]?.id].sort(),
    );
    const thumbprint = await calculateJwkThumbprint((accounts[2] as { key: TestKey }).key.jwk, "sha256");
    expect(ids((await search(`thumbprint=${thumbprint.slice(0, 12)}`)).body)).toEqual([accounts[2]?.id]);
    expect((await search(`alias=${alias}&status=deactivated`)).body.total).toBe(0);
    for (const token of [admin, approver]) expect((await search(`alias=${alias}`, token)).status).toBe(200);
  });

  it("fail/a status that is not one, a thumbprint that is not base64url → 422 naming it", async () => {
    const status = await search("status=gone");
    expect(status.status).toBe(422);
    expect(status.body.invalidParams[0]).toEqual({
      name: "status",
      reason: "One of valid, deactivated, revoked",
    });
    const thumbprint = await search("thumbprint=a%25b");
    expect(thumbprint.status).toBe(422);
    expect(thumbprint.body.invalidParams[0].name).toBe("thumbprint");
  });

  it("ok/an account's page data: its orders counted and listed", async () => {
    const { key, url, id } = accounts[0] as (typeof accounts)[number];
    const order = await client.signedPost(
      key,
      client.directory.newOrder as string,
      { identifiers: [{ type: "dns", value: "www.shop.example" }] },
      { kid: url },
    );
    expect(order.status).toBe(201);
    const detail = await consoleApi("GET", `/api/console/accounts/${id}`, { token: approver });
    expect(detail.body).toMatchObject({
      id,
      contact: ["mailto:ops@shop.example"],
      orderCount: 1,
      orders: [{ status: "pending", identifiers: ["www.shop.example"] }],
      certificates: [],
      termsOfServiceVersion: null,
      currentTermsOfServiceVersion: null,
    });
    expect((await consoleApi("GET", "/api/console/accounts/nope", { token: admin })).status).toBe(404);
  });
});

describe("deactivation from the console", () => {
  it("fail/approvers and auditors cannot; ok/an administrator can, once; the account then signs nothing", async () => {
    const { key, url, id } = accounts[2] as (typeof accounts)[number];
    for (const token of [approver, auditor]) {
      expect((await consoleApi("POST", `/api/console/accounts/${id}/deactivate`, { token })).status).toBe(
        403,
      );
    }
    const done = await consoleApi("POST", `/api/console/accounts/${id}/deactivate`, { token: admin });
    expect(done.status).toBe(200);
    expect(done.body.status).toBe("deactivated");
    const res = await client.signedPost(key, url, null, { kid: url });
    expect(res.status).toBe(401);
    const again = await consoleApi("POST", `/api/console/accounts/${id}/deactivate`, { token: admin });
    expect(again.status).toBe(409);
    const audit = await testDb().auditEvent.findMany({
      where: { action: "account.deactivated", targetId: id },
    });
    expect(audit).toHaveLength(1);
    expect(audit[0]?.actor).toMatch(/^token:/);
    expect(audit[0]?.details).toMatchObject({
      before: { status: "valid" },
      after: { status: "deactivated" },
    });
    expect((await search(`alias=${alias}&status=deactivated`)).body.total).toBe(1);
  });
});
