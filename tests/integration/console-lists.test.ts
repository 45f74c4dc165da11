// The console API's lists sort, search and page on the server (issue 16 item 4): every list takes
// ?sort=&dir= (an unknown column is a 422 naming `sort`), a page past the end answers no rows
// with the real total, and % or _ in a search match only themselves. The audit log filters by a
// date range and exports the filtered view as CSV or JSON lines (item 6), for auditors and above.
import { randomBytes } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { generateTestKey, RawAcmeClient } from "../support/acme-signer";
import { consoleApi } from "../support/console-api";
import { createTestUserWithToken } from "../support/console-tokens";
import { createTestAlias, directoryUrl, enableAcme, keyward, testDb } from "../support/keyward";

let admin: string;
let auditor: string;
let approver: string;
let adminName: string;
let alias: string;
const accountIds: string[] = [];

beforeAll(async () => {
  await enableAcme();
  const created = await createTestUserWithToken(testDb(), "administrator");
  admin = created.token;
  adminName = created.username;
  auditor = (await createTestUserWithToken(testDb(), "auditor")).token;
  approver = (await createTestUserWithToken(testDb(), "approver")).token;
  alias = await createTestAlias();
  const client = await new RawAcmeClient(directoryUrl(alias)).init();
  // Three accounts; the second orders twice, the third once: sorting by orders is 2, 1, 0.
  for (const [i, orders] of [0, 2, 1].entries()) {
    const key = await generateTestKey();
    const res = await client.signedPost(key, client.directory.newAccount as string, {
      contact: [`mailto:list${i}@lists.example`],
    });
    const url = res.headers.get("location") as string;
    accountIds.push(url.split("/").pop() as string);
    for (let n = 0; n < orders; n++) {
      const order = await client.signedPost(
        key,
        client.directory.newOrder as string,
        { identifiers: [{ type: "dns", value: `o${i}-${n}.lists.example` }] },
        { kid: url },
      );
      expect(order.status).toBe(201);
    }
  }
});

const get = (pathname: string, token = auditor) => consoleApi("GET", pathname, { token });

describe("sorting on the server", () => {
  it("ok/accounts by their number of orders, both ways, and by alias then newest", async () => {
    const desc = await get(`/api/console/accounts?alias=${alias}&sort=orders&dir=desc`);
    expect(desc.status).toBe(200);
    expect(desc.body.items.map((a: { orderCount: number }) => a.orderCount)).toEqual([2, 1, 0]);
    const asc = await get(`/api/console/accounts?alias=${alias}&sort=orders&dir=asc`);
    expect(asc.body.items.map((a: { orderCount: number }) => a.orderCount)).toEqual([0, 1, 2]);
    // The default stays newest first.
    const byDefault = await get(`/api/console/accounts?alias=${alias}`);
    expect(byDefault.body.items.map((a: { id: string }) => a.id)).toEqual([...accountIds].reverse());
  });

  it("ok/orders by creation both ways; a page of one row at a time walks them in order", async () => {
    const asc = await get(`/api/console/orders?alias=${alias}&sort=created&dir=asc`);
    const desc = await get(`/api/console/orders?alias=${alias}&sort=created&dir=desc`);
    expect(asc.body.total).toBe(3);
    const ascIds = asc.body.items.map((o: { id: string }) => o.id);
    expect(desc.body.items.map((o: { id: string }) => o.id)).toEqual([...ascIds].reverse());
    const walked: string[] = [];
    for (let page = 1; page <= 3; page++) {
      const one = await get(
        `/api/console/orders?alias=${alias}&sort=created&dir=asc&pageSize=1&page=${page}`,
      );
      walked.push(one.body.items[0].id);
    }
    expect(walked).toEqual(ascIds);
  });

  it("fail/a column a list does not sort by, or a direction that is not one → 422 naming it", async () => {
    for (const [pathname, name] of [
      ["/api/console/accounts?sort=contact", "sort"],
      ["/api/console/orders?sort=identifier", "sort"],
      ["/api/console/audit?sort=ip", "sort"],
      ["/api/console/tokens?sort=secret", "sort"],
      ["/api/console/trust-anchors?sort=pem", "sort"],
      ["/api/console/terms?sort=url", "sort"],
      [`/api/console/aliases/${alias}/eab-keys?sort=secret`, "sort"],
      ["/api/console/approvals?view=history&sort=contact", "sort"],
      ["/api/console/orders?dir=up", "dir"],
    ] as const) {
      const res = await get(pathname, admin);
      expect(res.status, pathname).toBe(422);
      expect(
        res.body.invalidParams.map((p: { name: string }) => p.name),
        pathname,
      ).toContain(name);
    }
  });

  it("ok/API tokens by name both ways; searched by name with % and _ as themselves", async () => {
    const tag = randomBytes(3).toString("hex");
    for (const name of [`b-${tag}-50%`, `a-${tag}-5x`, `c-${tag}-5_`]) {
      const res = await consoleApi("POST", "/api/console/tokens", {
        token: admin,
        body: { name, role: "auditor" },
      });
      expect(res.status).toBe(201);
    }
    const names = (body: { items: { name: string }[] }) => body.items.map((t) => t.name);
    expect(names((await get(`/api/console/tokens?q=${tag}&sort=name&dir=asc`, admin)).body)).toEqual([
      `a-${tag}-5x`,
      `b-${tag}-50%`,
      `c-${tag}-5_`,
    ]);
    expect(names((await get(`/api/console/tokens?q=${tag}&sort=name&dir=desc`, admin)).body)).toEqual([
      `c-${tag}-5_`,
      `b-${tag}-50%`,
      `a-${tag}-5x`,
    ]);
    expect(
      names((await get(`/api/console/tokens?q=${encodeURIComponent(`${tag}-50%`)}`, admin)).body),
    ).toEqual([`b-${tag}-50%`]);
    // "_" is not "any one character": only the token whose name has an underscore.
    expect(
      names((await get(`/api/console/tokens?q=${encodeURIComponent(`${tag}-5_`)}`, admin)).body),
    ).toEqual([`c-${tag}-5_`]);
    // The owner's username finds their tokens too.
    expect((await get(`/api/console/tokens?q=${adminName}`, admin)).body.total).toBeGreaterThanOrEqual(3);
  });

  it("ok/EAB keys searched by identifier, sorted and paged on the server", async () => {
    // Key identifiers are base64url: "_" may be in one, "%" never.
    const kids = ["kidb_1", "kida-2", "kidc-3"];
    for (const keyIdentifier of kids) {
      const res = await consoleApi("POST", `/api/console/aliases/${alias}/eab-keys`, {
        token: admin,
        body: { type: "mac", macAlgorithm: "HS256", keyIdentifier },
      });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
    }
    const path = `/api/console/aliases/${alias}/eab-keys`;
    const sorted = await get(`${path}?sort=keyIdentifier&dir=asc`);
    expect(sorted.body.items.map((k: { keyIdentifier: string }) => k.keyIdentifier)).toEqual([
      "kida-2",
      "kidb_1",
      "kidc-3",
    ]);
    expect(sorted.body.total).toBe(3);
    const second = await get(`${path}?sort=keyIdentifier&dir=desc&pageSize=1&page=2`);
    expect(second.body.items.map((k: { keyIdentifier: string }) => k.keyIdentifier)).toEqual(["kidb_1"]);
    expect((await get(`${path}?q=${encodeURIComponent("b_")}`)).body.total).toBe(1);
    // As wildcards, "a_" would match "kida-2" and "%" every key.
    expect((await get(`${path}?q=${encodeURIComponent("a_")}`)).body.total).toBe(0);
    expect((await get(`${path}?q=${encodeURIComponent("%")}`)).body.total).toBe(0);
  });

  it("ok/trust anchors and terms search and sort; terms page over aliases", async () => {
    const anchors = await get("/api/console/trust-anchors?sort=subject&dir=asc");
    const subjects = anchors.body.items.map((a: { subjectDn: string }) => a.subjectDn);
    expect(subjects.length).toBeGreaterThan(0);
    expect(subjects).toEqual([...subjects].sort());
    expect((await get(`/api/console/trust-anchors?q=${encodeURIComponent("%")}`)).body.total).toBe(0);

    const terms = await get(`/api/console/terms?q=${alias}`);
    expect(terms.status).toBe(200);
    expect(terms.body.items.map((t: { alias: string }) => t.alias)).toEqual([alias]);
    expect(terms.body.total).toBe(1);
  });
});

describe("pages past the end", () => {
  it("ok/every list answers page 999 with no rows and the true total", async () => {
    for (const pathname of [
      `/api/console/accounts?alias=${alias}&page=999`,
      `/api/console/orders?alias=${alias}&page=999`,
      "/api/console/audit?page=999",
      "/api/console/tokens?page=999",
      "/api/console/trust-anchors?page=999",
      "/api/console/terms?page=999",
      `/api/console/aliases/${alias}/eab-keys?page=999`,
      "/api/console/approvals?view=history&page=999",
      "/api/console/users?page=999",
      "/api/console/certificates?page=999",
    ]) {
      const res = await get(pathname, admin);
      expect(res.status, pathname).toBe(200);
      expect(res.body.items, pathname).toEqual([]);
      expect(res.body.page, pathname).toBe(999);
    }
    expect((await get(`/api/console/accounts?alias=${alias}&page=999`)).body.total).toBe(3);
  });
});

describe("audit log: date range and export", () => {
  let action: string;
  beforeAll(async () => {
    // Three events of an action of this file's own, on three days (written as the log writes them).
    action = `test.lists${randomBytes(3).toString("hex")}`;
    for (const [day, name] of [
      ["2031-03-01T10:00:00Z", 'first, "quoted"'],
      ["2031-03-02T23:59:59Z", "=SUM(A1:A2)"],
      ["2031-03-03T00:00:00Z", "third\nline"],
    ] as const) {
      await testDb().auditEvent.create({
        data: {
          createdAt: new Date(day),
          actor: "system",
          action,
          targetType: "alias",
          targetId: name,
          details: { after: { name } },
        },
      });
    }
  });

  it("ok/from and to are days (UTC), both included", async () => {
    const range = await get(`/api/console/audit?action=${action}&from=2031-03-02&to=2031-03-02`);
    expect(range.status).toBe(200);
    expect(range.body.items.map((e: { targetId: string }) => e.targetId)).toEqual(["=SUM(A1:A2)"]);
    const from = await get(`/api/console/audit?action=${action}&from=2031-03-02`);
    expect(from.body.total).toBe(2);
    const to = await get(`/api/console/audit?action=${action}&to=2031-03-02&sort=when&dir=asc`);
    expect(to.body.items.map((e: { targetId: string }) => e.targetId)).toEqual([
      'first, "quoted"',
      "=SUM(A1:A2)",
    ]);
    const bad = await get("/api/console/audit?from=March");
    expect(bad.status).toBe(422);
    expect(bad.body.invalidParams[0]).toMatchObject({ name: "from", reason: "A date, YYYY-MM-DD" });
  });

  it("ok/CSV export: a header, the filtered events newest first, quoting and formulas defused", async () => {
    const res = await fetch(
      `${keyward().httpUrl}/api/console/audit/export?format=csv&action=${action}&from=2031-03-02`,
      { headers: { authorization: `Bearer ${auditor}` } },
    );
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(res.headers.get("content-disposition")).toMatch(/^attachment; filename="audit-[\w-]+\.csv"$/);
    const text = await res.text();
    const lines = text.split("\r\n");
    expect(lines[0]).toBe(
      "id,createdAt,actor,actorName,action,targetType,targetId,targetName,ip,requestId,details",
    );
    // Two events (the first day is outside the range), newest first; the one with a line break
    // in its id is one quoted field.
    expect(text).toContain(`,system,system,${action},alias,"third\nline","third\nline",,,`);
    expect(text).toContain(`,system,system,${action},alias,'=SUM(A1:A2),'=SUM(A1:A2),,,`);
    expect(text).not.toContain("quoted");
    expect(text.indexOf("third")).toBeLessThan(text.indexOf("SUM"));
    expect(text.endsWith("\r\n")).toBe(true);
  });

  it("ok/JSON lines export: one event object a line, exactly the filtered ones", async () => {
    const res = await fetch(`${keyward().httpUrl}/api/console/audit/export?format=jsonl&action=${action}`, {
      headers: { authorization: `Bearer ${admin}` },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/jsonl; charset=utf-8");
    const events = (await res.text())
      .trimEnd()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(events.map((e) => e.targetId)).toEqual(["third\nline", "=SUM(A1:A2)", 'first, "quoted"']);
    expect(events[0]).toMatchObject({ action, actor: "system", targetType: "alias", details: { after: {} } });
  });

  it("fail/an approver may not export (403); a format that is not one → 422", async () => {
    const denied = await get(`/api/console/audit/export?action=${action}`, approver);
    expect(denied.status).toBe(403);
    const format = await get("/api/console/audit/export?format=xlsx", auditor);
    expect(format.status).toBe(422);
    expect(format.body.invalidParams[0]).toMatchObject({ name: "format", reason: "One of csv, jsonl" });
    const anonymous = await fetch(`${keyward().httpUrl}/api/console/audit/export`);
    expect(anonymous.status).toBe(401);
  });
});
