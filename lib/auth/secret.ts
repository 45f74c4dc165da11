// The secret next-auth signs and encrypts sessions with: NEXTAUTH_SECRET when set, otherwise
// derived from the master key with HKDF. Instances that share a database must share the master
// key anyway (it opens the CA keys and the nonce key), so they agree on this secret too, and it
// survives restarts without being stored anywhere.
import { hkdfSync } from "node:crypto";
import { loadMasterKey } from "@/lib/crypto/master-key";
import { env } from "@/lib/env";

const HKDF_INFO = "keyward console session secret v1";

let cached: string | undefined;

export function authSecret(): string {
  if (cached) return cached;
  const configured = env().NEXTAUTH_SECRET;
  cached =
    configured ??
    Buffer.from(hkdfSync("sha256", loadMasterKey(), Buffer.alloc(0), HKDF_INFO, 32)).toString("base64url");
  return cached;
}
