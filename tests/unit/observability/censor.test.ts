// The logger's second guard against secrets in log lines (issue 17 item 3): whatever object a
// caller passes, the values of secret-named fields never reach the line.
import { PassThrough } from "node:stream";
import pino from "pino";
import { describe, expect, it } from "vitest";
import { CENSORED, censorSecrets, loggerOptions } from "@/lib/observability/logger";

describe("censorSecrets", () => {
  it("censors secret fields at the top, in nested objects, headers and arrays, whatever their case", () => {
    const input = {
      password: "hunter2",
      user: { name: "ana", newPassword: "p1", tokens: [{ token: "kw_abc" }] },
      headers: { Authorization: "Bearer kw_xyz", cookie: "s=1", accept: "*/*" },
      eab: { hmacKey: "bWFj", kid: "k1" },
    };
    const out = censorSecrets(input);
    expect(out).toEqual({
      password: CENSORED,
      user: { name: "ana", newPassword: CENSORED, tokens: [{ token: CENSORED }] },
      headers: { Authorization: CENSORED, cookie: CENSORED, accept: "*/*" },
      eab: { hmacKey: CENSORED, kid: "k1" },
    });
    // The caller's object is left as it was.
    expect(input.password).toBe("hunter2");
    expect(input.headers.Authorization).toBe("Bearer kw_xyz");
  });

  it("returns the same object when nothing is secret (a request line is not copied)", () => {
    const line = { requestId: "r1", method: "HEAD", path: "/acme/new-nonce", status: 200, durationMs: 0.4 };
    expect(censorSecrets(line)).toBe(line);
  });

  it("stops at its depth and leaves class instances to their serializers", () => {
    const deep = { a: { b: { c: { d: { secret: "s" } } } } };
    expect(censorSecrets(deep)).toBe(deep);
    const url = new URL("https://ca.example/x");
    expect(censorSecrets({ url }).url).toBe(url);
  });
});

describe("the logger", () => {
  it("writes no secret value of an object or an error it is given", async () => {
    const stream = new PassThrough();
    const chunks: string[] = [];
    stream.on("data", (c) => chunks.push(String(c)));
    const log = pino(loggerOptions("info"), stream);
    const err = Object.assign(new Error("upstream refused"), {
      options: { headers: { authorization: "Bearer s3" } },
    });
    log.info({ body: { password: "hunter2", macKey: "bWFj" } }, "form");
    log.error({ err }, "failed");
    await new Promise((r) => setImmediate(r));
    const text = chunks.join("");
    expect(text).toContain("upstream refused");
    expect(text).toContain(CENSORED);
    for (const secret of ["hunter2", "bWFj", "Bearer s3"]) expect(text).not.toContain(secret);
  });
});
