// RA name generation (spec "RA Name Generation Scheme", "RA Name Generation Prefix/Postfix"):
// each scheme, each fall-back, prefix and postfix with ${RANDOM}, the batch generation rule, and
// the request DN read from real CSRs (openssl), including bad input.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseCsr } from "@/lib/ca/csr";
import { AcmeProblem } from "@/lib/problem";
import { DEFAULT_ALIAS_SETTINGS } from "@/lib/ra/alias-settings";
import {
  BUILT_IN_BATCH_GENERATION,
  batchGenerationProblem,
  generateUsername,
  MAX_USERNAME_LENGTH,
  RANDOM_CHARACTERS,
  RANDOM_PLACEHOLDER,
  type RaNameScheme,
  type RequestDn,
  raNameSettingsProblems,
  randomUsernameCharacters,
  requestDnOf,
} from "@/lib/ra/end-entities";

const ORDER_ID = "Qm9yZGVyLWlkLTEyMzQ1Ng";
const dn = (attributes: [string, string][], text?: string): RequestDn => ({
  attributes: attributes.map(([type, value]) => ({ type, value })),
  text: text ?? attributes.map(([t, v]) => `${t}=${v}`).join(", "),
});
const scheme = (s: Partial<RaNameScheme>): RaNameScheme => ({
  raNameGenScheme: DEFAULT_ALIAS_SETTINGS.raNameGenScheme,
  raNameGenParams: DEFAULT_ALIAS_SETTINGS.raNameGenParams,
  raNameGenPrefix: "",
  raNameGenPostfix: "",
  ...s,
});
const name = (s: Partial<RaNameScheme>, requestDn: RequestDn, random?: () => string) =>
  generateUsername(scheme(s), { orderId: ORDER_ID, requestDn }, random);

function problemOf(fn: () => unknown): AcmeProblem {
  try {
    fn();
  } catch (err) {
    if (err instanceof AcmeProblem) return err;
    throw err;
  }
  throw new Error("expected a problem");
}

describe("generateUsername", () => {
  const full = dn([
    ["C", "SE"],
    ["O", "Acme"],
    ["UID", "u-42"],
    ["SN", "0007"],
    ["CN", "www.example.test"],
  ]);

  it("ok/RANDOM is the order's id (the default scheme)", () => {
    expect(DEFAULT_ALIAS_SETTINGS.raNameGenScheme).toBe("RANDOM");
    expect(name({ raNameGenScheme: "RANDOM" }, full)).toBe(ORDER_ID);
  });

  it("ok/DN takes the first attribute present, in the order of the parameters", () => {
    expect(name({ raNameGenScheme: "DN", raNameGenParams: "UID;SN;CN" }, full)).toBe("u-42");
    expect(name({ raNameGenScheme: "DN", raNameGenParams: "CN;UID" }, full)).toBe("www.example.test");
  });

  it("ok/DN falls back to the next attribute when one is absent or empty", () => {
    const noUid = dn([
      ["SN", "0007"],
      ["CN", "a.test"],
    ]);
    expect(name({ raNameGenScheme: "DN", raNameGenParams: "UID;SN;CN" }, noUid)).toBe("0007");
    const onlyCn = dn([
      ["UID", "  "],
      ["CN", "a.test"],
    ]);
    expect(name({ raNameGenScheme: "DN", raNameGenParams: "UID;SN;CN" }, onlyCn)).toBe("a.test");
  });

  it("ok/DN parameters are case-insensitive and tolerate spaces and empty parts", () => {
    expect(name({ raNameGenScheme: "DN", raNameGenParams: " uid ;; cn " }, full)).toBe("u-42");
  });

  it("fail/DN with none of the attributes is badCSR naming them", () => {
    const p = problemOf(() =>
      name({ raNameGenScheme: "DN", raNameGenParams: "UID;SN" }, dn([["CN", "a.test"]])),
    );
    expect(p.type).toBe("badCSR");
    expect(p.status).toBe(400);
    expect(p.detail).toContain("UID, then SN");
  });

  it("ok/FIXED is the parameters themselves", () => {
    expect(name({ raNameGenScheme: "FIXED", raNameGenParams: " acme-web " }, full)).toBe("acme-web");
  });

  it("ok/USERNAME is the entire request DN", () => {
    expect(name({ raNameGenScheme: "USERNAME" }, full)).toBe(full.text);
  });

  it("fail/USERNAME with an empty request DN is badCSR", () => {
    expect(problemOf(() => name({ raNameGenScheme: "USERNAME" }, dn([], ""))).type).toBe("badCSR");
  });

  it("ok/prefix and postfix surround the name; each RANDOM placeholder gets its own 12 characters", () => {
    let n = 0;
    const random = () => `R${String(++n).padStart(11, "0")}`;
    expect(
      name(
        {
          raNameGenScheme: "DN",
          raNameGenParams: "CN",
          raNameGenPrefix: `web-${RANDOM_PLACEHOLDER}-`,
          raNameGenPostfix: `@${RANDOM_PLACEHOLDER}${RANDOM_PLACEHOLDER}`,
        },
        full,
        random,
      ),
    ).toBe("web-R00000000001-www.example.test@R00000000002R00000000003");
    expect(name({ raNameGenScheme: "RANDOM", raNameGenPrefix: "acme-", raNameGenPostfix: ".x" }, full)).toBe(
      `acme-${ORDER_ID}.x`,
    );
  });

  it("ok/the RANDOM placeholder is 12 characters of RFC 4648 base32 from the CSPRNG, different each time", () => {
    const seen = new Set(Array.from({ length: 50 }, () => randomUsernameCharacters()));
    expect(seen.size).toBe(50);
    for (const r of seen) expect(r).toMatch(new RegExp(`^[A-Z2-7]{${RANDOM_CHARACTERS}}$`));
    const username = name(
      { raNameGenScheme: "FIXED", raNameGenParams: "x", raNameGenPrefix: RANDOM_PLACEHOLDER },
      full,
    );
    expect(username).toMatch(/^[A-Z2-7]{12}x$/);
  });

  it("fail/a name with control characters is badCSR", () => {
    const p = problemOf(() =>
      name({ raNameGenScheme: "DN", raNameGenParams: "CN" }, dn([["CN", "a\u0000b"]])),
    );
    expect(p.type).toBe("badCSR");
    expect(problemOf(() => name({ raNameGenScheme: "USERNAME" }, dn([["O", "line\nbreak"]]))).type).toBe(
      "badCSR",
    );
  });

  it("fail/a name longer than the bound is badCSR", () => {
    const long = dn([["O", "o".repeat(MAX_USERNAME_LENGTH)]]);
    const p = problemOf(() => name({ raNameGenScheme: "USERNAME" }, long));
    expect(p.type).toBe("badCSR");
    expect(p.detail).toContain(String(MAX_USERNAME_LENGTH));
  });
});

describe("raNameSettingsProblems (checked when an alias is stored)", () => {
  it("ok/the defaults and every well-formed scheme", () => {
    expect(raNameSettingsProblems(scheme({}))).toEqual([]);
    expect(raNameSettingsProblems(scheme({ raNameGenScheme: "DN", raNameGenParams: "UID;SN;CN" }))).toEqual(
      [],
    );
    expect(raNameSettingsProblems(scheme({ raNameGenScheme: "USERNAME", raNameGenParams: "" }))).toEqual([]);
  });

  it("fail/DN without attributes, or with an unknown one, names raNameGenParams", () => {
    expect(raNameSettingsProblems(scheme({ raNameGenScheme: "DN", raNameGenParams: " ; " }))).toEqual([
      { name: "raNameGenParams", reason: expect.stringContaining("UID;SN;CN") },
    ]);
    const [unknown] = raNameSettingsProblems(scheme({ raNameGenScheme: "DN", raNameGenParams: "CN;FOO" }));
    expect(unknown?.name).toBe("raNameGenParams");
    expect(unknown?.reason).toContain("FOO");
  });

  it("fail/FIXED without a name", () => {
    expect(raNameSettingsProblems(scheme({ raNameGenScheme: "FIXED", raNameGenParams: "  " }))[0]?.name).toBe(
      "raNameGenParams",
    );
  });
});

describe("batchGenerationProblem", () => {
  it("ok/RANDOM needs no batch generation; other schemes need it", () => {
    const off = { name: "web", batchGeneration: false };
    expect(batchGenerationProblem("RANDOM", off)).toBeNull();
    expect(batchGenerationProblem("DN", { ...off, batchGeneration: true })).toBeNull();
    for (const s of ["DN", "FIXED", "USERNAME"] as const) {
      expect(batchGenerationProblem(s, off)).toMatch(
        /turn on "Batch generation" in end entity profile "web"/,
      );
    }
  });

  it("ok/the built-in profile (an alias without one) has batch generation on", () => {
    expect(BUILT_IN_BATCH_GENERATION).toBe(true);
  });
});

describe("requestDnOf (real CSRs)", () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "keyward-ee-"));
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
  const csr = (subject: string, sans: string[]) =>
    parseCsr(
      execFileSync("openssl", [
        "req",
        "-new",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
        "-keyout",
        path.join(tmp, "key.pem"),
        "-subj",
        subject,
        ...(sans.length ? ["-addext", `subjectAltName=${sans.map((n) => `DNS:${n}`).join(",")}`] : []),
        "-outform",
        "DER",
      ]).toString("base64url"),
    );
  const ids = (...names: string[]) => names.map((value) => ({ type: "dns" as const, value }));

  it("ok/reads UID, SN (serialNumber, as EJBCA names it) and CN from the CSR's subject", () => {
    const requestDn = requestDnOf(
      csr("/O=Acme/UID=u-42/serialNumber=0007/CN=a.test", ["a.test"]),
      ids("a.test"),
    );
    expect(requestDn.attributes).toEqual([
      { type: "O", value: "Acme" },
      { type: "UID", value: "u-42" },
      { type: "SN", value: "0007" },
      { type: "CN", value: "a.test" },
    ]);
    expect(requestDn.text).toBe("O=Acme, UID=u-42, SN=0007, CN=a.test");
    expect(
      generateUsername(scheme({ raNameGenScheme: "DN", raNameGenParams: "UID;SN;CN" }), {
        orderId: ORDER_ID,
        requestDn,
      }),
    ).toBe("u-42");
  });

  it("ok/a CSR without CN (certbot) gets the CN the certificate will carry", () => {
    const requestDn = requestDnOf(csr("/", ["b.test", "a.test"]), ids("a.test", "b.test"));
    expect(requestDn).toEqual({ attributes: [{ type: "CN", value: "a.test" }], text: "CN=a.test" });
    const withO = requestDnOf(csr("/O=Acme", ["a.test"]), ids("a.test"));
    expect(withO.text).toBe("O=Acme, CN=a.test");
  });
});
