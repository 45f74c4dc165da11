// Generators of hostile ACME input for tests/integration/fuzz.test.ts, each a list of named
// mutations drawn with a seeded Rng (tests/support/fuzz.ts), and the shapes a correct acceptance
// has. Every mutation says whether an acceptance can be correct and, where RFC 8555 names the
// refusal, which problem types are.
// First: the x509 door loads reflect-metadata and sets the crypto provider the CSR builder needs.
import "@/lib/crypto/x509";
import net from "node:net";
import { domainToASCII, domainToUnicode } from "node:url";
import { Extension, Name, Pkcs10CertificateRequestGenerator } from "@peculiar/x509";
import type { AcmeErrorType } from "@/lib/problem";
import type { TestKey } from "./acme-signer";
import {
  type Acceptance,
  b64,
  deeplyNested,
  HOSTILE_STRINGS,
  hostileValue,
  type JwsParts,
  type Rng,
} from "./fuzz";

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);
const ID_URL = (word: string) => new RegExp(`/${word}/[A-Za-z0-9_-]{1,128}(\\?|$)`);
const firstFailure = (...checks: [boolean, string][]) => checks.find(([ok]) => !ok)?.[1] ?? null;

// --- what a correct acceptance looks like (RFC 8555 §7.1) ---------------------------------------

export const ACCEPT = {
  /** §7.1.1 */
  directory: ((a, json) =>
    firstFailure(
      [a.status === 200, `directory answered ${a.status}`],
      [
        isObject(json) && typeof json.newNonce === "string" && typeof json.newAccount === "string",
        "not a directory",
      ],
    )) satisfies Acceptance,
  /** §7.2: HEAD 200, GET 204; POST-as-GET 200 */
  nonce: ((a) =>
    firstFailure(
      [a.status === 200 || a.status === 204, `newNonce answered ${a.status}`],
      [/^[A-Za-z0-9_-]{43}$/.test(String(a.headers["replay-nonce"])), "no Replay-Nonce"],
      [a.headers["cache-control"] === "no-store", "newNonce without Cache-Control: no-store"],
    )) satisfies Acceptance,
  /** §7.1.2, §7.3 */
  account: ((a, json) => {
    if (!isObject(json)) return "account reply is not an object";
    const contacts = Array.isArray(json.contact) ? json.contact : [];
    return firstFailure(
      [a.status === 200 || a.status === 201, `account answered ${a.status}`],
      [["valid", "deactivated"].includes(String(json.status)), `account status ${String(json.status)}`],
      [typeof json.orders === "string", "account without orders URL"],
      [ID_URL("acct").test(String(a.headers.location)), `account Location ${a.headers.location}`],
      [
        // RFC 6068: one address, as a URL (no hfields, "%" only in escapes, no fragment).
        contacts.every(
          (c) =>
            typeof c === "string" &&
            /^mailto:(?:[A-Za-z0-9\-._~!$'()*+;:]|%[0-9A-F]{2})+@[A-Za-z0-9.-]+$/.test(c) &&
            new URL(c).hash === "",
        ),
        `account accepted with contacts ${JSON.stringify(contacts).slice(0, 200)}`,
      ],
    );
  }) satisfies Acceptance,
  /** §7.1.3 */
  order: ((a, json) => orderProblem(a.status, json, [200, 201])) satisfies Acceptance,
  /** §7.1.4 */
  authorization: ((a, json) => authorizationProblem(a.status, json)) satisfies Acceptance,
  /** §7.1.5 */
  challenge: ((a, json) =>
    firstFailure(
      [a.status === 200, `challenge answered ${a.status}`],
      [isObject(json) && typeof json.token === "string" && typeof json.url === "string", "not a challenge"],
      [String(a.headers.link).includes('rel="up"'), "challenge without Link rel=up"],
    )) satisfies Acceptance,
  /** §7.4.2 */
  certificate: ((a) =>
    firstFailure(
      [a.status === 200, `certificate answered ${a.status}`],
      [a.headers["content-type"] === "application/pem-certificate-chain", "certificate of the wrong type"],
      [a.body.toString().startsWith("-----BEGIN CERTIFICATE-----"), "certificate body is not PEM"],
    )) satisfies Acceptance,
  /** §7.1.2.1 */
  orders: ((a, json) =>
    firstFailure(
      [a.status === 200, `orders answered ${a.status}`],
      [
        isObject(json) &&
          Array.isArray(json.orders) &&
          json.orders.every((u) => ID_URL("order").test(String(u))),
        "not an orders list",
      ],
    )) satisfies Acceptance,
  /** §7.6: 200, no body needed */
  revoked: ((a) => (a.status === 200 ? null : `revocation answered ${a.status}`)) satisfies Acceptance,
};

function orderProblem(status: number, json: unknown, statuses: number[]): string | null {
  if (!isObject(json)) return "order reply is not an object";
  const identifiers = Array.isArray(json.identifiers) ? json.identifiers : [];
  return firstFailure(
    [statuses.includes(status), `order answered ${status}`],
    [
      ["pending", "ready", "processing", "valid", "invalid"].includes(String(json.status)),
      `order status ${String(json.status)}`,
    ],
    [identifiers.length > 0, "order without identifiers"],
    [Array.isArray(json.authorizations), "order without authorizations"],
    [typeof json.finalize === "string", "order without finalize URL"],
    ...identifiers.map((i): [boolean, string] => {
      const why = identifierProblem(i);
      return [why === null, `order accepted the identifier ${JSON.stringify(i)}: ${why}`];
    }),
  );
}

function authorizationProblem(status: number, json: unknown): string | null {
  if (!isObject(json)) return "authorization reply is not an object";
  const why = identifierProblem(
    json.wildcard && isObject(json.identifier)
      ? { ...json.identifier, value: `*.${json.identifier.value}` }
      : json.identifier,
  );
  return firstFailure(
    [status === 200 || status === 201, `authorization answered ${status}`],
    [
      ["pending", "valid", "invalid", "deactivated", "expired", "revoked"].includes(String(json.status)),
      "status",
    ],
    [Array.isArray(json.challenges), "authorization without challenges"],
    [why === null, `authorization for ${JSON.stringify(json.identifier)}: ${why}`],
  );
}

/**
 * Why an identifier a CA accepted is not one it may certify, or null. Written from the RFCs
 * (1035, 1123, 5890, 5952, 6761, 8555 §7.1.4, 8738), not from lib/names.ts, so that the two check
 * each other.
 */
export function identifierProblem(identifier: unknown): string | null {
  if (!isObject(identifier) || typeof identifier.value !== "string") return "not an identifier";
  const value = identifier.value;
  if (identifier.type === "ip") {
    if (net.isIPv4(value))
      return value === value.split(".").map(Number).join(".") ? null : "IPv4 not canonical";
    if (!net.isIPv6(value) || value.includes("%")) return "not an IP address";
    return new URL(`http://[${value}]/`).hostname === `[${value}]` ? null : "IPv6 not in RFC 5952 form";
  }
  if (identifier.type !== "dns") return `type ${String(identifier.type)} is not dns or ip`;
  const base = value.startsWith("*.") ? value.slice(2) : value;
  if (base.length > 253) return "longer than 253";
  if (net.isIP(base)) return "an IP address as a DNS name";
  const labels = base.split(".");
  if (labels.length < 2) return "a single label";
  for (const label of labels) {
    if (!/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/.test(label))
      return `label "${label}" is not LDH lower case`;
    if (label.startsWith("xn--")) {
      const unicode = domainToUnicode(label);
      if (/^[\p{ASCII}]*$/u.test(unicode) || domainToASCII(unicode) !== label)
        return `bad A-label "${label}"`;
    } else if (label.slice(2, 4) === "--") return `label "${label}" has -- in positions 3 and 4`;
  }
  if (/^\d+$/.test(labels.at(-1) as string)) return "all-numeric TLD";
  if (labels.at(-1) === "localhost") return "under localhost (RFC 6761)";
  return null;
}

/** An order acceptance that also names, in canonical form, every identifier that was sent. */
export function acceptOrderFor(sent: { type: string; value: string }[]): Acceptance {
  return (a, json) => {
    const shape = ACCEPT.order(a, json);
    if (shape) return shape;
    const got = new Set(
      ((json as { identifiers: { type: string; value: string }[] }).identifiers ?? []).map(
        (i) => `${i.type}:${i.value}`,
      ),
    );
    for (const s of sent) {
      const canonical =
        s.type === "ip"
          ? net.isIPv6(s.value)
            ? new URL(`http://[${s.value}]/`).hostname.slice(1, -1)
            : s.value
          : s.value.toLowerCase();
      if (!got.has(`${s.type}:${canonical}`))
        return `order does not carry the identifier ${JSON.stringify(s)}`;
    }
    return null;
  };
}

// --- identifiers (RFC 8555 §7.1.4, RFC 8738) -----------------------------------------------------

const LABEL_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789";

function randomName(rng: Rng, labels = rng.int(2, 4)): string {
  return `${Array.from({ length: labels }, () => rng.text(rng.int(1, 12), LABEL_CHARS)).join(".")}.test`;
}

/** One identifier, usually hostile: odd types, long names, IDN, wildcards in odd places, IP forms. */
export function fuzzIdentifier(rng: Rng): { type: unknown; value: unknown } {
  const name = randomName(rng);
  const dns = (value: string) => ({ type: "dns", value });
  const ip = (value: string) => ({ type: "ip", value });
  switch (rng.int(0, 7)) {
    case 0:
      return dns(
        rng.pick([
          name,
          name.toUpperCase(),
          `${name}.`,
          `.${name}`,
          `a..${name}`,
          `${"a".repeat(63)}.${name}`,
          `${"a".repeat(64)}.${name}`,
          `${"abcdefghi.".repeat(25)}test`,
          `${"abcdefghi.".repeat(24)}abcdefg.test`,
          "test",
          "localhost",
          `app.localhost`,
          "LOCALHOST.",
          `${name.split(".")[0]}.123`,
          `-${name}`,
          `${name.split(".")[0]}-.test`,
          `under_score.${name}`,
          `ab--cd.${name}`,
          ` ${name}`,
          `${name} `,
          `${name}\u0000`,
          `${name}\n`,
          name.replace(".", "%2e"),
          name.replace(".", "\u3002"),
          `${name.split(".")[0]}\u200b.test`,
          "",
          ".",
          "..",
        ]),
      );
    case 1:
      // IDN: U-labels (must be sent as A-labels), A-labels good and bad (RFC 5890, RFC 3492).
      return dns(
        rng.pick([
          "bücher.test",
          "xn--bcher-kva.test",
          "XN--BCHER-KVA.test",
          "xn--a.test",
          "xn--zzzzzzzzzzzzzzzzzzzz.test",
          "xn--.test",
          "xn--abc-.test",
          "xn--ls8h.test",
          "xn--9999999999a.test",
          "xn--bcher-kvA.test",
          "ｅｘａｍｐｌｅ.test",
          "例え.テスト",
          "xn--r8jz45g.xn--zckzah",
        ]),
      );
    case 2:
      // Wildcards (RFC 8555 §7.1.3: only as the whole leftmost label).
      return dns(
        rng.pick([
          `*.${name}`,
          "*",
          "*.",
          "*.test",
          `**.${name}`,
          `*a.${name}`,
          `a*.${name}`,
          `a.*.${name}`,
          `*.*.${name}`,
          `${name}.*`,
          `*.${name}.`,
          "*.localhost",
          "*.127.0.0.1",
          "*.xn--a.test",
        ]),
      );
    case 3:
      return ip(
        rng.pick([
          "127.0.0.1",
          "127.000.000.001",
          "01.2.3.4",
          "1.2.3",
          "1.2.3.4.5",
          "256.1.1.1",
          "0x7f.0.0.1",
          "2130706433",
          "0.0.0.0",
          "255.255.255.255",
          "::1",
          "::",
          "::ffff:127.0.0.1",
          "2001:DB8::1",
          "2001:0db8:0000:0000:0000:0000:0000:0001",
          "2001:db8::1::2",
          "[::1]",
          "fe80::1%eth0",
          "fe80::1%25eth0",
          "1.2.3.4/32",
          "2001:db8::/32",
          " 1.2.3.4",
          "1.2.3.4\n",
          "１.２.３.４",
          "",
          "localhost",
          name,
        ]),
      );
    case 4:
      // An IP address in a dns identifier and the reverse.
      return rng.pick([dns("127.0.0.1"), dns("::1"), dns("[::1]"), dns("1.2.3.4."), ip(name)]);
    case 5:
      return {
        type: rng.pick([
          "DNS",
          "Dns",
          "IP",
          "email",
          "uri",
          "permanent-identifier",
          "",
          " dns",
          "dns\u0000",
          "x".repeat(33),
          "dns-01",
        ]),
        value: rng.pick([name, "127.0.0.1", "a@example.test"]),
      };
    case 6:
      return { type: rng.chance(0.5) ? "dns" : hostileValue(rng, 1), value: hostileValue(rng, 1) };
    default:
      return dns(rng.pick(HOSTILE_STRINGS).slice(0, 300) + (rng.chance(0.5) ? `.${name}` : ""));
  }
}

/** A valid fresh DNS identifier, for orders that should be accepted. */
export function freshDnsIdentifier(rng: Rng) {
  return { type: "dns", value: randomName(rng) };
}

// --- JWS structure (RFC 7515 §7.2.2 flattened, RFC 8555 §6.2) -----------------------------------

export type BodyMutation = {
  name: string;
  /** The JWS still means what it meant: an acceptance is correct. */
  harmless?: boolean;
  apply: (rng: Rng, jws: JwsParts, other: JwsParts) => string | Buffer;
};

const MEMBERS = ["protected", "payload", "signature"] as const;
const B64_GARBAGE = ["+", "/", "=", " ", "\n", ".", "\u0000", "é", "%", "\\", "\ud800", "😀"];
const bigB64 = (n: number) => "A".repeat(n);

export const JWS_BODY_MUTATIONS: readonly BodyMutation[] = [
  ...MEMBERS.map((m) => ({
    name: `without ${m}`,
    apply: (_r: Rng, j: JwsParts) => JSON.stringify({ ...j, [m]: undefined }),
  })),
  ...MEMBERS.map((m) => ({
    name: `${m} of another type`,
    apply: (r: Rng, j: JwsParts) => {
      let v = hostileValue(r);
      while (typeof v === "string") v = hostileValue(r);
      return JSON.stringify({ ...j, [m]: v });
    },
  })),
  ...MEMBERS.map((m) => ({
    name: `${m} with a character outside base64url`,
    apply: (r: Rng, j: JwsParts) => {
      const at = r.int(0, j[m].length);
      return JSON.stringify({ ...j, [m]: j[m].slice(0, at) + r.pick(B64_GARBAGE) + j[m].slice(at) });
    },
  })),
  ...MEMBERS.map((m) => ({
    name: `${m} padded with =`,
    apply: (r: Rng, j: JwsParts) => JSON.stringify({ ...j, [m]: j[m] + r.pick(["=", "==", "==="]) }),
  })),
  ...MEMBERS.map((m) => ({
    name: `${m} huge`,
    apply: (r: Rng, j: JwsParts) =>
      JSON.stringify({ ...j, [m]: j[m] + bigB64(r.pick([20_000, 100_000, 127_000])) }),
  })),
  ...MEMBERS.map((m) => ({
    name: `${m} empty`,
    apply: (_r: Rng, j: JwsParts) => JSON.stringify({ ...j, [m]: "" }),
  })),
  ...MEMBERS.map((m) => ({
    name: `${m} swapped for another request's`,
    apply: (_r: Rng, j: JwsParts, o: JwsParts) => JSON.stringify({ ...j, [m]: o[m] }),
  })),
  {
    name: "an unprotected header",
    apply: (r, j) => JSON.stringify({ ...j, header: r.pick([{}, { alg: "none" }, { kid: "x" }, "x"]) }),
  },
  { name: "a signatures array", apply: (_r, j) => JSON.stringify({ ...j, signatures: [j] }) },
  {
    name: "general serialization",
    apply: (_r, j) =>
      JSON.stringify({
        payload: j.payload,
        signatures: [{ protected: j.protected, signature: j.signature }],
      }),
  },
  {
    name: "an unknown member",
    apply: (r, j) => JSON.stringify({ ...j, [r.pick(["foo", "Protected", "", "__proto__"])]: 1 }),
  },
  {
    name: "a duplicate member, the signed one last",
    harmless: true,
    apply: (r, j) => {
      const m = r.pick(MEMBERS);
      const rest = MEMBERS.filter((x) => x !== m).map((x) => `"${x}":${JSON.stringify(j[x])}`);
      return `{"${m}":"AAAA",${rest.join(",")},"${m}":${JSON.stringify(j[m])}}`;
    },
  },
  {
    name: "a duplicate member, the signed one first",
    apply: (r, j) => {
      const m = r.pick(MEMBERS);
      const rest = MEMBERS.filter((x) => x !== m).map((x) => `"${x}":${JSON.stringify(j[x])}`);
      return `{"${m}":${JSON.stringify(j[m])},${rest.join(",")},"${m}":"AAAA"}`;
    },
  },
  {
    name: "whitespace around the JSON",
    harmless: true,
    apply: (_r, j) => `\n\t ${JSON.stringify(j, null, 3)} \r\n`,
  },
  {
    name: "a top-level value that is not an object",
    apply: (r, j) => r.pick([JSON.stringify([j]), '"x"', "1", "null", "true", "[]", "", " ", "{}"]),
  },
  { name: "a byte order mark", apply: (_r, j) => `\ufeff${JSON.stringify(j)}` },
  {
    name: "not JSON",
    apply: (r, j) =>
      r.pick([
        `${JSON.stringify(j)}}`,
        "{",
        "{'a':1}",
        "\u0000",
        `${j.protected}.${j.payload}.${j.signature}`,
      ]),
  },
  { name: "deeply nested arrays", apply: (r) => deeplyNested(r.pick([1_000, 30_000, 60_000])) },
  {
    name: "deeply nested objects",
    apply: (r, j) =>
      JSON.stringify({ ...j, protected: undefined }).replace(
        "{",
        `{"protected":${deeplyNested(r.pick([100, 10_000]), "object")},`,
      ),
  },
  {
    name: "a member name spelled with escapes",
    harmless: true,
    apply: (r, j) =>
      JSON.stringify(j).replace(
        `"${r.pick(MEMBERS)}"`,
        (m) => `"\\u00${m.charCodeAt(1).toString(16)}${m.slice(2)}`,
      ),
  },
  {
    name: "a member with NUL or a lone surrogate",
    apply: (r, j) =>
      r.pick([
        JSON.stringify(j).replace('"protected"', '"protected\\u0000"'),
        JSON.stringify(j).replace('"payload":"', '"payload":"\\ud800'),
        JSON.stringify(j).replace('"signature":"', '"signature":"\\u0000'),
      ]),
  },
  {
    name: "bytes that are not UTF-8",
    apply: (r, j) => {
      const text = Buffer.from(JSON.stringify(j));
      const at = text.indexOf('"payload":"') + 11;
      return Buffer.concat([
        text.subarray(0, at),
        r.pick([Buffer.from([0xff]), Buffer.from([0xc3]), Buffer.from([0xed, 0xa0, 0x80])]),
        text.subarray(at),
      ]);
    },
  },
  {
    name: "a signature that does not verify",
    apply: (r, j) => {
      const sig = Buffer.from(j.signature, "base64url");
      if (r.chance(0.5) && sig.length > 0) {
        const i = r.int(0, sig.length - 1);
        sig[i] = (sig[i] as number) ^ (1 << r.int(0, 7));
        return JSON.stringify({ ...j, signature: b64(sig) });
      }
      return JSON.stringify({ ...j, signature: b64(sig.subarray(0, r.int(0, sig.length - 1))) });
    },
  },
  {
    name: "numbers and objects where strings go",
    apply: (r, j) =>
      JSON.stringify({
        protected: r.chance(0.5) ? 1 : j.protected,
        payload: r.chance(0.5) ? { a: 1 } : j.payload,
        signature: r.chance(0.5) ? [j.signature] : j.signature,
      }),
  },
];

// --- the protected header (RFC 8555 §6.2, RFC 7515 §4.1) ----------------------------------------

export type HeaderContext = {
  key: TestKey;
  /** Another acceptable key (not the signer's). */
  otherKey: TestKey;
  url: string;
  nonce: string;
  /** The kid to use (the account URL) or undefined to embed the jwk. */
  kid?: string;
  /** URLs of things that exist but are not this request's URL or account. */
  elsewhere: { otherResource: string; otherAliasAccount: string; order: string };
};

export type HeaderMutation = {
  name: string;
  /** Only for kid-signed requests, or only for jwk-signed ones. */
  only?: "kid" | "jwk";
  harmless?: boolean;
  types?: readonly AcmeErrorType[];
  /** The protected header as text (so duplicates and non-objects can be sent). */
  apply: (rng: Rng, header: Record<string, unknown>, ctx: HeaderContext) => string;
};

const json = (h: Record<string, unknown>) => JSON.stringify(h);
const withMember = (h: Record<string, unknown>, k: string, v: unknown) => json({ ...h, [k]: v });
const without = (h: Record<string, unknown>, k: string) => json({ ...h, [k]: undefined });

function base64urlOf(n: number, rng: Rng) {
  return b64(rng.bytes(n));
}

/** JWKs of every shape the jwk member can take, valid-looking or not. */
function fuzzJwk(rng: Rng, ctx: HeaderContext): unknown {
  const ec =
    ctx.key.jwk.kty === "EC"
      ? ctx.key.jwk
      : { kty: "EC", crv: "P-256", x: base64urlOf(32, rng), y: base64urlOf(32, rng) };
  return rng.pick<unknown>([
    null,
    "x",
    1,
    [],
    [ctx.key.jwk],
    {},
    { kty: "EC" },
    { ...ec, kty: undefined },
    { ...ec, kty: "ec" },
    { ...ec, kty: "oct", k: base64urlOf(32, rng) },
    { kty: "oct", k: base64urlOf(32, rng) },
    { ...ec, crv: "P-192" },
    { ...ec, crv: "secp256k1" },
    { ...ec, crv: "P-384" },
    { ...ec, x: base64urlOf(31, rng) },
    { ...ec, y: base64urlOf(33, rng) },
    { ...ec, x: base64urlOf(32, rng), y: base64urlOf(32, rng) },
    { ...ec, x: "A".repeat(43), y: "A".repeat(43) },
    { ...ec, x: `${ec.x}=` },
    { ...ec, x: 12345 },
    { ...ec, y: undefined },
    { ...ec, d: base64urlOf(32, rng) },
    { kty: "RSA", n: base64urlOf(256, rng), e: "AQAB" },
    { kty: "RSA", n: base64urlOf(128, rng), e: "AQAB" },
    { kty: "RSA", n: base64urlOf(256, rng), e: "AQ" },
    { kty: "RSA", n: base64urlOf(256, rng), e: "Aw" },
    { kty: "RSA", n: base64urlOf(256, rng), e: "" },
    { kty: "RSA", n: "", e: "AQAB" },
    { kty: "RSA", n: base64urlOf(1500, rng), e: "AQAB" },
    { kty: "RSA", n: base64urlOf(256, rng), e: base64urlOf(40, rng) },
    { kty: "OKP", crv: "Ed25519", x: base64urlOf(32, rng) },
    { kty: "OKP", crv: "Ed448", x: base64urlOf(57, rng) },
    { kty: "OKP", crv: "X25519", x: base64urlOf(32, rng) },
    { kty: "OKP", crv: "Ed25519", x: base64urlOf(31, rng) },
    ctx.otherKey.jwk,
  ]);
}

export const HEADER_MUTATIONS: readonly HeaderMutation[] = [
  // alg (RFC 8555 §6.2: an unsupported alg is badSignatureAlgorithm)
  { name: "no alg", apply: (_r, h) => without(h, "alg"), types: ["malformed", "badSignatureAlgorithm"] },
  {
    name: "an alg Keyward does not accept",
    types: ["badSignatureAlgorithm"],
    apply: (r, h) =>
      withMember(
        h,
        "alg",
        r.pick(
          [
            "none",
            "None",
            "NONE",
            "HS256",
            "HS512",
            "RS384",
            "RS512",
            "PS256",
            "ES256K",
            "Ed25519",
            "EdDSA",
            "ES512",
            "ES384",
            "RS256",
            "es256",
            "ES256 ",
            "RSA1_5",
            "dir",
          ].filter((alg) => alg !== h.alg),
        ),
      ),
  },
  {
    name: "an alg that is not a string",
    types: ["malformed", "badSignatureAlgorithm"],
    apply: (r, h) => withMember(h, "alg", r.pick([null, 256, ["ES256"], { alg: "ES256" }, true])),
  },
  {
    name: "an alg of hostile text",
    types: ["malformed", "badSignatureAlgorithm"],
    apply: (r, h) =>
      withMember(h, "alg", r.pick([...HOSTILE_STRINGS, "A".repeat(33), "A".repeat(5000), "ES256\u0000"])),
  },
  // nonce (§6.5: anything but an unused nonce of ours is badNonce)
  { name: "no nonce", types: ["badNonce"], apply: (_r, h) => without(h, "nonce") },
  {
    name: "a base64url nonce that is not ours",
    types: ["badNonce"],
    apply: (r, h, c) =>
      withMember(
        h,
        "nonce",
        r.pick([
          "",
          r.text(43, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
          `${c.nonce}A`,
          c.nonce.slice(0, 42),
          c.nonce.toLowerCase() === c.nonce ? c.nonce.toUpperCase() : c.nonce.toLowerCase(),
          b64(Buffer.alloc(32)),
          "A".repeat(300),
          "A".repeat(8_000),
        ]),
      ),
  },
  {
    // RFC 8555 §6.5.2: a nonce that is not base64url is malformed; §6.5: an unacceptable one is
    // badNonce. Either is a correct answer.
    name: "a nonce that is not base64url",
    types: ["badNonce", "malformed"],
    apply: (r, h, c) =>
      withMember(
        h,
        "nonce",
        r.pick([
          "x",
          `${c.nonce}=`,
          ` ${c.nonce}`,
          c.nonce.replace(/./, "+"),
          "é".repeat(43),
          `${c.nonce}\u0000`,
        ]),
      ),
  },
  {
    name: "a nonce that is not a string",
    types: ["badNonce", "malformed"],
    apply: (r, h, c) => withMember(h, "nonce", r.pick([null, 1, [c.nonce], { nonce: c.nonce }, true])),
  },
  // url (§6.4: a url that is not the request's is unauthorized)
  { name: "no url", types: ["malformed", "unauthorized"], apply: (_r, h) => without(h, "url") },
  {
    name: "a url that is not this request's",
    types: ["unauthorized", "malformed"],
    apply: (r, h, c) => {
      const u = new URL(c.url);
      return withMember(
        h,
        "url",
        r.pick([
          "",
          c.elsewhere.otherResource,
          c.elsewhere.order,
          `${c.url}/`,
          `${c.url}?`,
          `${c.url}?x=1`,
          `${c.url}#f`,
          c.url.replace("http:", "https:"),
          c.url.replace("http://", "HTTP://"),
          c.url.replace(u.host, `localhost:${u.port}`),
          c.url.replace(u.host, `${u.hostname}:${Number(u.port) + 1}`),
          c.url.replace(u.host, `${u.hostname}.:${u.port}`),
          c.url.replace("/acme/", "/acme//"),
          c.url.replace("/acme/", "/%61cme/"),
          c.url.toUpperCase(),
          `${c.url}\u0000`,
          `${c.url}\ud800`,
          u.pathname,
          `${c.url}${"x".repeat(5000)}`,
        ]),
      );
    },
  },
  {
    name: "a url that is not a string",
    types: ["malformed", "unauthorized"],
    apply: (r, h, c) => withMember(h, "url", r.pick([null, 1, [c.url], { href: c.url }])),
  },
  // jwk and kid (§6.2: exactly one; the kid is the account URL)
  {
    name: "neither jwk nor kid",
    types: ["malformed"],
    apply: (_r, h) => json({ ...h, jwk: undefined, kid: undefined }),
  },
  {
    name: "both jwk and kid",
    types: ["malformed"],
    apply: (_r, h, c) => json({ ...h, jwk: c.key.jwk, kid: c.kid ?? c.elsewhere.otherAliasAccount }),
  },
  {
    name: "a jwk of another shape",
    only: "jwk",
    types: ["badPublicKey", "malformed", "badSignatureAlgorithm"],
    apply: (r, h, c) => withMember(h, "jwk", fuzzJwk(r, c)),
  },
  {
    name: "a jwk with extra members",
    only: "jwk",
    harmless: true,
    apply: (r, h, c) =>
      withMember(h, "jwk", {
        ...c.key.jwk,
        kid: "k",
        use: "sig",
        alg: c.key.alg,
        key_ops: ["verify"],
        [r.pick(["x5t", "x5c", "ext", "foo"])]: r.pick<unknown>(["v", ["MII"], "x".repeat(5_000), true]),
      }),
  },
  {
    name: "a kid that is not this account's URL",
    only: "kid",
    types: ["malformed", "accountDoesNotExist", "unauthorized"],
    apply: (r, h, c) => {
      const kid = c.kid as string;
      const u = new URL(kid);
      const id = kid.split("/").at(-1) as string;
      return withMember(
        h,
        "kid",
        r.pick([
          "",
          id,
          `${kid}/`,
          `${kid}?`,
          `${kid}?x=1`,
          `${kid}#f`,
          `${kid}\u0000`,
          `${kid}%00`,
          kid.replace(id, id.toUpperCase() === id ? id.toLowerCase() : id.toUpperCase()),
          kid.replace(
            id,
            encodeURIComponent(id).replace(/[A-Za-z]/, (ch) => `%${ch.charCodeAt(0).toString(16)}`),
          ),
          kid.replace(id, `${id}x`),
          kid.replace(id, "A".repeat(128)),
          kid.replace(id, "A".repeat(129)),
          kid.replace(id, "../acct/x"),
          kid.replace("http:", "https:"),
          kid.replace(u.host, `localhost:${u.port}`),
          kid.replace("/acct/", "/ACCT/"),
          kid.replace("/acct/", "/acct//"),
          c.elsewhere.otherAliasAccount,
          c.elsewhere.order,
          "urn:acme:acct:x",
          "javascript:alert(1)",
          "http://[::1",
          `${kid}${"x".repeat(5000)}`,
        ]),
      );
    },
  },
  {
    name: "a kid that is not a string",
    only: "kid",
    types: ["malformed", "accountDoesNotExist"],
    apply: (r, h, c) => withMember(h, "kid", r.pick([null, 1, [c.kid], { kid: c.kid }, true])),
  },
  // crit, b64, typ and unknown members (RFC 7515 §4.1.11, RFC 7797)
  {
    name: "crit",
    types: ["malformed"],
    apply: (r, h) =>
      json({
        ...h,
        ...r.pick<Record<string, unknown>>([
          { crit: ["b64"], b64: false },
          { crit: ["b64"], b64: true },
          { crit: [] },
          { crit: ["exp"], exp: 1 },
          { crit: [1] },
          { crit: "b64" },
          { crit: null },
          { crit: {} },
          { crit: ["alg"] },
        ]),
      }),
  },
  {
    name: "b64 without crit",
    types: ["malformed"],
    harmless: true,
    apply: (r, h) => withMember(h, "b64", r.pick([false, true, "false", 0])),
  },
  {
    name: "typ, cty or an unknown member",
    harmless: true,
    apply: (r, h) =>
      withMember(
        h,
        r.pick(["typ", "cty", "x5u", "jku", "x5c", "foo", "__proto__", "constructor"]),
        hostileValue(r, 1),
      ),
  },
  // the header as text
  {
    name: "a header that is not a JSON object",
    types: ["malformed"],
    apply: (r) => r.pick(["[]", '"x"', "1", "null", "", "{", "\ufeff{}", deeplyNested(5_000)]),
  },
  {
    name: "a duplicate member, the good one last",
    harmless: true,
    types: ["malformed", "badSignatureAlgorithm", "unauthorized", "badNonce"],
    apply: (r, h) => {
      const member = r.pick(Object.keys(h).filter((k) => h[k] !== undefined));
      const bad = member === "alg" ? "none" : member === "jwk" ? { kty: "oct", k: "AAAA" } : "x";
      return `{${JSON.stringify(member)}:${JSON.stringify(bad)},${json(h).slice(1)}`;
    },
  },
  {
    name: "a duplicate member, the good one first",
    types: [
      "malformed",
      "badSignatureAlgorithm",
      "unauthorized",
      "badNonce",
      "badPublicKey",
      "accountDoesNotExist",
    ],
    apply: (r, h) => {
      const member = r.pick(Object.keys(h).filter((k) => h[k] !== undefined));
      const bad = member === "alg" ? "none" : member === "jwk" ? { kty: "oct", k: "AAAA" } : "x";
      return `${json(h).slice(0, -1)},${JSON.stringify(member)}:${JSON.stringify(bad)}}`;
    },
  },
  {
    name: "a huge header",
    types: ["malformed"],
    harmless: true,
    apply: (r, h) => withMember(h, "pad", "x".repeat(r.pick([4_000, 11_000, 13_000, 40_000]))),
  },
  {
    name: "hostile text in every member",
    types: [
      "malformed",
      "badSignatureAlgorithm",
      "badNonce",
      "unauthorized",
      "badPublicKey",
      "accountDoesNotExist",
    ],
    apply: (r, h) => {
      const out = { ...h };
      for (const k of Object.keys(out)) if (r.chance(0.3)) out[k] = r.pick(HOSTILE_STRINGS);
      return json(out);
    },
  },
];

// --- CSRs (RFC 8555 §7.4, RFC 2986) --------------------------------------------------------------

export type CsrKeys = {
  ec: CryptoKeyPair;
  otherEc: CryptoKeyPair;
  rsa1024: CryptoKeyPair;
  ed25519: CryptoKeyPair;
};

const EC_SIGN = { name: "ECDSA", hash: "SHA-256" } as const;

export async function csrKeys(): Promise<CsrKeys> {
  const ec = () =>
    crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, ["sign", "verify"]);
  return {
    ec: await ec(),
    otherEc: await ec(),
    rsa1024: await crypto.subtle.generateKey(
      {
        name: "RSASSA-PKCS1-v1_5",
        modulusLength: 1024,
        publicExponent: new Uint8Array([1, 0, 1]),
        hash: "SHA-256",
      },
      true,
      ["sign", "verify"],
    ),
    ed25519: (await crypto.subtle.generateKey({ name: "Ed25519" }, true, [
      "sign",
      "verify",
    ])) as CryptoKeyPair,
  };
}

type SanEntry = { type: "dns" | "ip" | "email" | "url"; value: string };

/** DER of a subjectAltName extension value (RFC 5280 §4.2.1.6) from raw GeneralName bytes. */
function sanExtension(generalNames: Buffer[]): Extension {
  return new Extension("2.5.29.17", false, new Uint8Array(derSequence(Buffer.concat(generalNames))));
}

function derLength(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v >>= 8) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}
function derSequence(body: Buffer): Buffer {
  return Buffer.concat([Buffer.from([0x30]), derLength(body.length), body]);
}
function generalName(entry: SanEntry | { tag: number; bytes: Buffer }): Buffer {
  if ("tag" in entry)
    return Buffer.concat([Buffer.from([entry.tag]), derLength(entry.bytes.length), entry.bytes]);
  const tag = { email: 0x81, dns: 0x82, url: 0x86, ip: 0x87 }[entry.type];
  const bytes =
    entry.type === "ip"
      ? net.isIPv4(entry.value)
        ? Buffer.from(entry.value.split(".").map(Number))
        : ipv6Bytes(entry.value)
      : Buffer.from(entry.value, "latin1");
  return Buffer.concat([Buffer.from([tag]), derLength(bytes.length), bytes]);
}
function ipv6Bytes(text: string): Buffer {
  const [head = "", tail = ""] = text.split("::");
  const h = head ? head.split(":") : [];
  const t = tail ? tail.split(":") : [];
  const groups = [...h, ...Array(8 - h.length - t.length).fill("0"), ...t];
  return Buffer.from(
    groups.flatMap((g) => [(Number.parseInt(g, 16) >> 8) & 0xff, Number.parseInt(g, 16) & 0xff]),
  );
}

/** A CSR (base64url DER) built exactly as asked: names, extensions, key and signature algorithm. */
export async function buildCsr(o: {
  keys: CryptoKeyPair;
  cn?: string;
  san?: (SanEntry | { tag: number; bytes: Buffer })[];
  extensions?: Extension[];
  signingAlgorithm?: Algorithm | EcdsaParams;
}): Promise<string> {
  const extensions = [...(o.extensions ?? [])];
  if (o.san) extensions.push(sanExtension(o.san.map(generalName)));
  const csr = await Pkcs10CertificateRequestGenerator.create({
    name: o.cn === undefined ? new Name([]) : new Name([{ CN: [o.cn] }]),
    keys: o.keys,
    signingAlgorithm:
      o.signingAlgorithm ??
      (o.keys.privateKey.algorithm.name === "Ed25519"
        ? { name: "Ed25519" }
        : o.keys.privateKey.algorithm.name === "ECDSA"
          ? EC_SIGN
          : { name: "RSASSA-PKCS1-v1_5" }),
    extensions,
  });
  return b64(Buffer.from(csr.rawData));
}

export type CsrCase = {
  name: string;
  /** The CSR's names are exactly the order's and nothing else is wrong: acceptance is correct. */
  acceptable?: boolean | ((csr: unknown) => boolean);
  /** The value of the `csr` member (usually a string). */
  csr: () => Promise<unknown>;
};

/** Finalize payloads for an order of exactly `names` (IP addresses and DNS names). */
export function fuzzCsr(rng: Rng, keys: CsrKeys, names: string[]): CsrCase {
  const san = (list: string[]): SanEntry[] =>
    list.map((v) => ({ type: net.isIP(v) ? "ip" : "dns", value: v }));
  const good = () => buildCsr({ keys: keys.ec, san: san(names) });
  const mutateDer = async (f: (der: Buffer) => Buffer) => b64(f(Buffer.from(await good(), "base64url")));
  const cases: CsrCase[] = [
    { name: "a valid CSR for the order", acceptable: true, csr: good },
    {
      name: "a valid CSR with the names in the CN only",
      acceptable: names.length === 1,
      csr: () => buildCsr({ keys: keys.ec, cn: names[0] }),
    },
    {
      name: "a valid CSR for other names",
      csr: () => buildCsr({ keys: keys.ec, san: san([`${rng.text(8)}.example.test`]) }),
    },
    {
      name: "a valid CSR for more names",
      csr: () => buildCsr({ keys: keys.ec, san: san([...names, "extra.example.test"]) }),
    },
    { name: "a valid CSR with no names", csr: () => buildCsr({ keys: keys.ec }) },
    {
      name: "a CSR with a huge SAN list",
      csr: () =>
        buildCsr({
          keys: keys.ec,
          san: san([
            ...names,
            ...Array.from({ length: rng.pick([500, 1500, 4000]) }, (_, i) => `n${i}.example.test`),
          ]),
        }),
    },
    {
      name: "a CSR with a 100-character CN",
      csr: () => buildCsr({ keys: keys.ec, cn: `${"a".repeat(90)}.test`, san: san(names) }),
    },
    {
      name: "a CSR whose CN is not a name of the order",
      csr: () =>
        buildCsr({
          keys: keys.ec,
          cn: rng.pick(["other.test", "", "\u0000", "*", "127.0.0.2"]),
          san: san(names),
        }),
    },
    { name: "a CSR for a 1024-bit RSA key", csr: () => buildCsr({ keys: keys.rsa1024, san: san(names) }) },
    { name: "a CSR for an Ed25519 key", csr: () => buildCsr({ keys: keys.ed25519, san: san(names) }) },
    {
      name: "a CSR signed with SHA-1",
      csr: () =>
        buildCsr({ keys: keys.ec, san: san(names), signingAlgorithm: { name: "ECDSA", hash: "SHA-1" } }),
    },
    {
      name: "a CSR with two SAN extensions",
      csr: () =>
        buildCsr({ keys: keys.ec, san: san(names), extensions: [sanExtension(san(names).map(generalName))] }),
    },
    {
      name: "a CSR with an email, URI or otherName SAN",
      csr: () =>
        buildCsr({
          keys: keys.ec,
          san: [
            ...san(names),
            rng.pick<SanEntry | { tag: number; bytes: Buffer }>([
              { type: "email", value: "a@example.test" },
              { type: "url", value: "https://example.test/" },
              { tag: 0xa0, bytes: Buffer.from([0x06, 0x01, 0x2a, 0xa0, 0x02, 0x0c, 0x00]) },
            ]),
          ],
        }),
    },
    {
      name: "a CSR with an iPAddress SAN of odd length",
      csr: () =>
        buildCsr({
          keys: keys.ec,
          san: [...san(names), { tag: 0x87, bytes: rng.bytes(rng.pick([0, 1, 5, 8, 15, 17, 32])) }],
        }),
    },
    {
      name: "a CSR with a dNSName SAN of hostile bytes",
      csr: () =>
        buildCsr({
          keys: keys.ec,
          san: [
            ...san(names),
            {
              tag: 0x82,
              bytes: rng.pick([
                Buffer.from([0]),
                Buffer.from([0xff, 0xfe]),
                Buffer.alloc(0),
                Buffer.from("a".repeat(300)),
              ]),
            },
          ],
        }),
    },
    {
      name: "a CSR with an empty SAN extension",
      csr: () => buildCsr({ keys: keys.ec, cn: names[0], extensions: [sanExtension([])] }),
    },
    {
      name: "a CSR with an unknown critical extension",
      acceptable: true,
      csr: () =>
        buildCsr({
          keys: keys.ec,
          san: san(names),
          extensions: [new Extension("1.2.3.4.5", true, Buffer.from([5, 0]))],
        }),
    },
    {
      name: "a CSR whose public key is another key's",
      csr: async () => {
        // Same structure, the other key's SPKI spliced in: the signature no longer verifies.
        const der = Buffer.from(await good(), "base64url");
        const mine = Buffer.from(await crypto.subtle.exportKey("spki", keys.ec.publicKey));
        const theirs = Buffer.from(await crypto.subtle.exportKey("spki", keys.otherEc.publicKey));
        const at = der.indexOf(mine);
        return b64(Buffer.concat([der.subarray(0, at), theirs, der.subarray(at + mine.length)]));
      },
    },
    { name: "a truncated CSR", csr: () => mutateDer((d) => d.subarray(0, rng.int(0, d.length - 1))) },
    {
      name: "a CSR with one bit flipped",
      csr: () =>
        mutateDer((d) => {
          const i = rng.int(0, d.length - 1);
          d[i] = (d[i] as number) ^ (1 << rng.int(0, 7));
          return d;
        }),
    },
    {
      name: "a CSR with trailing bytes",
      csr: () => mutateDer((d) => Buffer.concat([d, rng.bytes(rng.int(1, 8))])),
    },
    {
      name: "a CSR in BER (a long-form length)",
      csr: () =>
        mutateDer((d) => {
          const headerBytes = (d[1] as number) < 0x80 ? 2 : 2 + ((d[1] as number) & 0x7f);
          const body = d.subarray(headerBytes);
          const length = Buffer.alloc(4);
          length.writeUInt32BE(body.length);
          return Buffer.concat([Buffer.from([0x30, 0x84]), length, body]);
        }),
    },
    { name: "random DER", csr: async () => b64(derSequence(rng.bytes(rng.int(0, 600)))) },
    { name: "random bytes", csr: async () => b64(rng.bytes(rng.int(1, 600))) },
    {
      name: "an ASN.1 length that overflows",
      csr: async () => b64(Buffer.from([0x30, 0x84, 0xff, 0xff, 0xff, 0xff, 0x02, 0x01, 0x00])),
    },
    {
      name: "indefinite-length SEQUENCEs",
      csr: async () => b64(Buffer.alloc(2 * rng.pick([2, 500, 5000]), Buffer.from([0x30, 0x80]))),
    },
    {
      name: "a CSR in standard base64, with padding, whitespace or PEM armour",
      // lib/ca/csr.ts accepts and ignores base64 padding, as Boulder does: still the valid CSR.
      acceptable: (csr) => typeof csr === "string" && /^[A-Za-z0-9_-]+={0,2}$/.test(csr),
      csr: async () => {
        const url = await good();
        const std = Buffer.from(url, "base64url").toString("base64");
        return rng.pick([
          std,
          `${url}=`,
          `${url}==`,
          ` ${url}`,
          `${url.slice(0, 40)}\n${url.slice(40)}`,
          `-----BEGIN CERTIFICATE REQUEST-----\n${std}\n-----END CERTIFICATE REQUEST-----`,
        ]);
      },
    },
    { name: "a CSR of hostile text", csr: async () => rng.pick(HOSTILE_STRINGS) },
    { name: "a CSR over 64 KiB", csr: async () => "M".repeat(rng.pick([65_536, 65_537, 90_000])) },
    {
      name: "a csr that is not a string",
      csr: async () => {
        let v = hostileValue(rng);
        while (typeof v === "string") v = hostileValue(rng);
        return v;
      },
    },
  ];
  return rng.pick(cases);
}
