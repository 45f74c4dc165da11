// The console's certificate and order searches (lib/db/sql/certificate-search.ts and
// order-search.ts) on a real PostgreSQL and on the embedded database: every filter, the status
// that depends on `now`, the expiry window, sorting both ways, paging, and % _ \ taken literally;
// and end entities (lib/db/sql/end-entities.ts).
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, type Db } from "@/lib/db/client";
import { applyMigrations } from "@/lib/db/migrate";
import {
  type CertificateSearch,
  findCertificateWithChain,
  searchCertificates,
} from "@/lib/db/sql/certificate-search";
import {
  findEndEntity,
  findEndEntityOfOrder,
  searchEndEntities,
  upsertEndEntityAsNew,
} from "@/lib/db/sql/end-entities";
import { findOrderWithAuthorizations, searchOrders } from "@/lib/db/sql/order-search";
import { databaseTargets } from "../../support/test-db";

const TIMEOUT_MS = 120_000;
const DAY_MS = 86_400_000;
const id = () => randomBytes(16).toString("base64url");

const targets = databaseTargets("search");

describe.each(targets)("console searches on the $name", (target) => {
  let db: Db;
  let close: () => Promise<void>;
  const now = new Date();
  const accounts: Record<"shop" | "other", string> = { shop: id(), other: id() };
  const serials: Record<string, string> = {};
  let rootId: string;
  let issuingId: string;

  beforeAll(async () => {
    const opened = await target.open();
    close = opened.close;
    await applyMigrations(opened.url);
    db = createDb(opened.url, 4);
    for (const [name, accountId] of Object.entries(accounts)) {
      const alias = await db.alias.create({ data: { name, configured: true, settings: {} } });
      await db.account.create({
        data: { id: accountId, aliasId: alias.id, jwk: { kty: "EC" }, keyThumbprint: name, contact: [] },
      });
    }
    const ca = (name: string, parentId: string | null) =>
      db.certificateAuthority.create({
        data: {
          name,
          role: parentId ? "issuing" : "root",
          parentId,
          subjectDn: `CN=${name}`,
          keyAlgorithm: "ECDSA-P256",
          certificateDer: new Uint8Array([name.length]),
          privateKeySealed: new Uint8Array([1]),
          serialHex: "01",
          notBefore: now,
          notAfter: new Date(now.getTime() + 1000 * DAY_MS),
        },
      });
    rootId = (await ca("root", null)).id;
    issuingId = (await ca("issuing", rootId)).id;
    const certificate = async (
      label: string,
      o: { account: string; names: string[]; expiresInDays: number; revoked?: boolean; serialHex: string },
    ) => {
      serials[label] = o.serialHex;
      const orderId = id();
      await db.order.create({
        data: {
          id: orderId,
          accountId: o.account,
          status: "valid",
          expiresAt: new Date(now.getTime() + DAY_MS),
          identifiers: o.names.map((value) => ({ type: "dns", value })),
        },
      });
      await db.certificate.create({
        data: {
          id: label,
          serialHex: o.serialHex,
          accountId: o.account,
          orderId,
          issuerId: issuingId,
          der: new Uint8Array([7]),
          subjectDn: `CN=${o.names[0]}`,
          names: o.names.map((n) => `dns:${n}`),
          spkiSha256: "s",
          keyAlgorithm: "ECDSA-P256",
          notBefore: now,
          notAfter: new Date(now.getTime() + o.expiresInDays * DAY_MS),
          status: o.revoked ? "revoked" : "valid",
          revokedAt: o.revoked ? now : null,
          revocationReason: o.revoked ? 1 : null,
          createdAt: new Date(now.getTime() - o.expiresInDays * 1000),
        },
      });
    };
    await certificate("www", {
      account: accounts.shop,
      names: ["www.shop-x.test", "api.shop-x.test"],
      expiresInDays: 60,
      serialHex: "0a11",
    });
    await certificate("mail", {
      account: accounts.shop,
      names: ["mail.shop-x.test"],
      expiresInDays: 30,
      serialHex: "0a22",
      revoked: true,
    });
    await certificate("old", {
      account: accounts.shop,
      names: ["old.shop-x.test"],
      expiresInDays: -2,
      serialHex: "0b33",
    });
    await certificate("intranet", {
      account: accounts.other,
      names: ["intranet.other.test"],
      expiresInDays: 90,
      serialHex: "0c44",
    });
    // A pending order of the other account, with no certificate.
    await db.order.create({
      data: {
        id: id(),
        accountId: accounts.other,
        status: "pending",
        expiresAt: new Date(now.getTime() + DAY_MS),
        identifiers: [{ type: "dns", value: "pending.other.test" }],
      },
    });
  }, TIMEOUT_MS);

  afterAll(async () => {
    await db?.$disconnect();
    await close?.();
  }, TIMEOUT_MS);

  const search = async (q: Partial<CertificateSearch>) =>
    (
      await searchCertificates(db, { sort: "issued", order: "desc", now, offset: 0, limit: 20, ...q })
    ).rows.map((r) => r.id);

  it("certificates: by name (SAN or subject), serial prefix, account, alias", async () => {
    expect((await search({ name: "SHOP-X" })).sort()).toEqual(["mail", "old", "www"]);
    expect(await search({ name: "api.shop" })).toEqual(["www"]);
    expect(await search({ name: "CN=intranet" })).toEqual(["intranet"]);
    expect((await search({ serialPrefix: "0a" })).sort()).toEqual(["mail", "www"]);
    expect(await search({ accountId: accounts.other })).toEqual(["intranet"]);
    expect((await search({ aliasName: "shop" })).sort()).toEqual(["mail", "old", "www"]);
    expect(await search({ aliasName: "nope" })).toEqual([]);
  });

  it("certificates: % _ and \\ match themselves", async () => {
    expect(await search({ name: "shop_x" })).toEqual([]);
    expect(await search({ name: "www%test" })).toEqual([]);
    expect(await search({ name: "\\" })).toEqual([]);
    expect(await search({ serialPrefix: "_" })).toEqual([]);
  });

  it("certificates: status valid, revoked, expired by `now`; the expiry window", async () => {
    expect((await search({ status: "valid" })).sort()).toEqual(["intranet", "www"]);
    expect(await search({ status: "revoked" })).toEqual(["mail"]);
    expect(await search({ status: "expired" })).toEqual(["old"]);
    const at = (days: number) => new Date(now.getTime() + days * DAY_MS);
    expect((await search({ expiresFrom: at(20), expiresBefore: at(70) })).sort()).toEqual(["mail", "www"]);
    expect(await search({ expiresBefore: at(0) })).toEqual(["old"]);
  });

  it("certificates: sorted by expiry, issue date or serial, both ways; paged with the total", async () => {
    expect(await search({ sort: "expires", order: "asc" })).toEqual(["old", "mail", "www", "intranet"]);
    expect(await search({ sort: "serial", order: "desc" })).toEqual(["intranet", "old", "mail", "www"]);
    // createdAt was set earlier the later a certificate expires.
    expect(await search({ sort: "issued", order: "desc" })).toEqual(["old", "mail", "www", "intranet"]);
    const page = await searchCertificates(db, { sort: "expires", order: "asc", now, offset: 1, limit: 2 });
    expect(page.total).toBe(4);
    expect(page.rows.map((r) => r.id)).toEqual(["mail", "www"]);
    expect(page.rows[0]).toMatchObject({ aliasName: "shop", status: "revoked", revocationReason: 1 });
  });

  it("one certificate with its issuer chain up to the root", async () => {
    const found = await findCertificateWithChain(db, "www");
    expect(found?.issuerChain.map((c) => c.id)).toEqual([issuingId, rootId]);
    expect(found?.aliasName).toBe("shop");
    expect(await findCertificateWithChain(db, "nope")).toBeNull();
  });

  it("orders: by part of an identifier (literally), account, alias, status; with the certificate id", async () => {
    const orders = async (q: Parameters<typeof searchOrders>[1]) => (await searchOrders(db, q)).rows;
    const www = await orders({ identifier: "API.SHOP-X", offset: 0, limit: 10 });
    expect(www).toHaveLength(1);
    expect(www[0]?.certificateId).toBe("www");
    expect(await orders({ identifier: "shop_x", offset: 0, limit: 10 })).toEqual([]);
    expect(await orders({ identifier: "%", offset: 0, limit: 10 })).toEqual([]);
    expect((await orders({ aliasName: "other", offset: 0, limit: 10 })).map((o) => o.status).sort()).toEqual([
      "pending",
      "valid",
    ]);
    expect(await orders({ accountId: accounts.other, status: "pending", offset: 0, limit: 10 })).toHaveLength(
      1,
    );
    const counted = await searchOrders(db, { aliasName: "shop", offset: 0, limit: 1 });
    expect(counted.total).toBe(3);
    expect(counted.rows).toHaveLength(1);
    const detail = await findOrderWithAuthorizations(db, www[0]?.id as string);
    expect(detail?.certificate?.id).toBe("www");
    expect(detail?.account.alias.name).toBe("shop");
  });

  it("end entities: created NEW, reset to NEW by username; searched literally by username or subject, status, alias", async () => {
    const shop = await db.alias.findUniqueOrThrow({ where: { name: "shop" } });
    const entity = (username: string, subjectDn: string, orderId: string, caId: string | null) =>
      upsertEndEntityAsNew(db, {
        username,
        subjectDn,
        aliasId: shop.id,
        endEntityProfileName: null,
        certificateProfileName: null,
        caId,
        orderId,
        now,
      });
    const first = await entity("web_1%", "CN=www.shop.test", "o-1", issuingId);
    await entity("web11", "CN=api.shop.test", "o-2", null);
    await db.endEntity.update({ where: { id: first.id }, data: { status: "GENERATED" } });
    await db.certificate.update({ where: { id: "www" }, data: { endEntityId: first.id } });
    // Enrolled again: the same row, NEW, with the new order and subject; the CA stays known.
    expect((await entity("web_1%", "CN=www2.shop.test", "o-3", null)).id).toBe(first.id);
    expect(await findEndEntityOfOrder(db, "o-3")).toMatchObject({ username: "web_1%", aliasId: shop.id });
    expect(await findEndEntityOfOrder(db, "o-1")).toBeNull();

    const search = async (q: Partial<Parameters<typeof searchEndEntities>[1]>) =>
      (await searchEndEntities(db, { sort: "username", order: "asc", offset: 0, limit: 10, ...q })).rows;
    expect((await search({})).map((e) => e.username).sort()).toEqual(["web11", "web_1%"]);
    expect((await search({ text: "_1%" })).map((e) => e.username)).toEqual(["web_1%"]);
    expect((await search({ text: "WWW2" })).map((e) => e.username)).toEqual(["web_1%"]);
    expect(await search({ status: "GENERATED" })).toEqual([]);
    expect(await search({ aliasName: "other" })).toEqual([]);
    const found = await findEndEntity(db, first.id);
    expect(found).toMatchObject({
      status: "NEW",
      subjectDn: "CN=www2.shop.test",
      aliasName: "shop",
      caName: "issuing",
      certificates: 1,
    });
    expect(found?.certificateList.map((c) => c.id)).toEqual(["www"]);
    expect(await findEndEntity(db, "00000000-0000-4000-8000-000000000000")).toBeNull();
  });
});
