// RFC 8555 §7.3.5: account key rollover. The numbered comments follow the RFC's list of checks;
// check 1 (a currently active account signed the outer JWS) is done by serve.ts for every kid
// request.

import type { AcmeContext, AcmeReply, VerifiedJws } from "@/lib/acme/resources/types";
import {
  importAccountKey,
  parseFlattenedJws,
  parseProtectedHeader,
  parsePublicJwk,
  verifyJwsSignature,
} from "@/lib/acme/wire/jws";
import { toAccountJson } from "@/lib/acme/wire/objects";
import { keyChangeInnerPayloadSchema } from "@/lib/acme/wire/payloads";
import { jwkThumbprint } from "@/lib/crypto/jwk";
import { AcmeProblem, firstIssue } from "@/lib/problem";
import { changeAccountKey } from "@/lib/ra/accounts";

export async function keyChange(
  ctx: AcmeContext,
  verified: VerifiedJws & { auth: "kid" },
  outerPayload: string,
): Promise<AcmeReply> {
  const account = verified.account;

  // 2. The payload of the outer JWS is a well-formed JWS (the inner JWS).
  const inner = parseFlattenedJws(outerPayload);
  const innerHeader = parseProtectedHeader(inner);
  // 3. Its protected header has a "jwk" (and, as the RFC requires of the client, no nonce).
  if (!innerHeader.jwk) throw AcmeProblem.malformed("The inner JWS must carry the new key as jwk, not kid");
  if (innerHeader.nonce !== undefined) throw AcmeProblem.malformed("The inner JWS must not have a nonce");
  const alg = innerHeader.alg as Parameters<typeof importAccountKey>[1];

  // 4. The inner JWS verifies with the key in its "jwk".
  const newKey = await importAccountKey(innerHeader.jwk, alg);
  const innerPayloadBytes = await verifyJwsSignature(inner, newKey, alg);

  // 5. The inner payload is a well-formed keyChange object.
  let innerJson: unknown;
  try {
    innerJson = JSON.parse(Buffer.from(innerPayloadBytes).toString("utf8"));
  } catch {
    throw AcmeProblem.malformed("The inner JWS payload is not JSON");
  }
  const parsed = keyChangeInnerPayloadSchema.safeParse(innerJson);
  if (!parsed.success) throw AcmeProblem.malformed(`Invalid keyChange object: ${firstIssue(parsed.error)}`);

  // 6. The inner and outer "url" are the same.
  if (innerHeader.url !== verified.header.url) {
    throw AcmeProblem.malformed("The inner JWS url must equal the outer JWS url");
  }
  // 7. "account" is the URL of the account that signed the outer JWS.
  if (parsed.data.account !== ctx.links.account(account.id)) {
    throw AcmeProblem.unauthorized("keyChange.account is not the URL of the account that signed the request");
  }
  // 8. "oldKey" is the account's current key (compared by RFC 7638 thumbprint).
  let oldKeyThumbprint: string;
  try {
    oldKeyThumbprint = await jwkThumbprint(parsePublicJwk(parsed.data.oldKey, verified.alg));
  } catch {
    throw AcmeProblem.malformed("keyChange.oldKey is not a valid public key");
  }
  if (oldKeyThumbprint !== account.keyThumbprint) {
    throw AcmeProblem.unauthorized("keyChange.oldKey is not the account's current key");
  }
  // 9. No account (this one included) already has the new key: 409 with its URL. Then, where the
  //    alias requires it, approval of the key change (spec "Approvals for the keyChange Resource").
  const updated = await changeAccountKey(ctx.db, {
    alias: ctx.alias,
    account,
    next: { jwk: innerHeader.jwk, thumbprint: await jwkThumbprint(innerHeader.jwk) },
    accountUrlOf: (id) => ctx.links.account(id),
    ip: ctx.clientIp,
    now: ctx.now,
  });
  return { status: 200, location: ctx.links.account(updated.id), body: toAccountJson(updated, ctx.links) };
}
