// The console's lists (issue 16 item 4): a search is text, not a LIKE pattern; the order and the
// page live in the URL; an unknown column or direction is refused at the edge.
import { describe, expect, it } from "vitest";
import { listHref } from "@/components/ui/list-url";
import { isPastTheEnd } from "@/components/ui/Pagination";
import { aliasListQuerySchema } from "@/lib/console/schemas/aliases";
import { userListQuerySchema } from "@/lib/console/schemas/users";
import { escapeLikePattern } from "@/lib/db/text-filters";

describe("escapeLikePattern", () => {
  it.each([
    ["ok/plain", "shop", "shop"],
    ["ok/percent", "50%", "50\\%"],
    ["ok/underscore", "e2e_", "e2e\\_"],
    ["ok/backslash first", "a\\%", "a\\\\\\%"],
    ["ok/only wildcards", "%_%", "\\%\\_\\%"],
  ])("%s", (_name, input, expected) => {
    expect(escapeLikePattern(input)).toBe(expected);
  });
});

describe("listHref", () => {
  it("ok/keeps filters and order, leaves out empty values and page 1", () => {
    expect(listHref("/aliases", { q: "shop", sort: "name", dir: "desc", page: 1, pageSize: undefined })).toBe(
      "/aliases?q=shop&sort=name&dir=desc",
    );
  });
  it("ok/a change overrides the current value", () => {
    expect(listHref("/users", { q: "a b", page: 3 }, { page: 4 })).toBe("/users?q=a+b&page=4");
    expect(listHref("/users", { sort: "role", page: 3 }, { sort: "username", page: undefined })).toBe(
      "/users?sort=username",
    );
  });
  it("ok/no parameters at all", () => {
    expect(listHref("/aliases", {})).toBe("/aliases");
  });
});

describe("isPastTheEnd", () => {
  it.each([
    ["ok/first page of an empty list", { page: 1, pageSize: 20, total: 0 }, false],
    ["ok/last page", { page: 1, pageSize: 20, total: 19 }, false],
    ["ok/exactly full", { page: 2, pageSize: 2, total: 4 }, false],
    ["fail/page 999 of 19 rows", { page: 999, pageSize: 20, total: 19 }, true],
    ["fail/one past", { page: 3, pageSize: 2, total: 4 }, true],
  ])("%s", (_name, info, expected) => {
    expect(isPastTheEnd(info)).toBe(expected);
  });
});

describe("list query schemas", () => {
  it("ok/defaults: by name, ascending, page 1", () => {
    expect(aliasListQuerySchema.parse({})).toMatchObject({ sort: "name", dir: "asc", page: 1 });
    expect(userListQuerySchema.parse({})).toMatchObject({ sort: "username", dir: "asc" });
  });
  it("ok/a sortable column and direction", () => {
    expect(aliasListQuerySchema.parse({ sort: "accounts", dir: "desc" })).toMatchObject({
      sort: "accounts",
      dir: "desc",
    });
  });
  it.each([
    ["fail/unknown column", { sort: "settings" }, "Sort by one of: name, status, accounts"],
    ["fail/unknown direction", { dir: "up" }, "Sort direction is asc or desc"],
    ["fail/page 0", { page: "0" }, "Pages start at 1"],
    ["fail/page size over the limit", { pageSize: "1000" }, "At most 100 per page"],
  ])("%s", (_name, input, message) => {
    const parsed = aliasListQuerySchema.safeParse(input);
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.message).toBe(message);
  });
});
