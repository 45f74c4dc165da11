// EAB keys created the way an operator's script creates them: through the console API, with an
// administrator's API token, against the Keyward under test.
import { createTestToken } from "./console-tokens";
import { keyward, testDb } from "./keyward";

let adminToken: Promise<string> | undefined;

export type CreatedMacKey = {
  key: { id: string; keyIdentifier: string };
  secret: { keyIdentifier: string; hmacKey: string; macAlgorithm: string };
};

/** A new MAC key of `alias` (generated unless `body` says otherwise), with its secret. */
export async function createMacKeyThroughApi(
  alias: string,
  body: Record<string, unknown> = {},
): Promise<CreatedMacKey> {
  adminToken ??= createTestToken(testDb(), "administrator");
  const res = await fetch(`${keyward().httpUrl}/api/console/aliases/${encodeURIComponent(alias)}/eab-keys`, {
    method: "POST",
    headers: { authorization: `Bearer ${await adminToken}`, "content-type": "application/json" },
    body: JSON.stringify({ type: "mac", ...body }),
  });
  const text = await res.text();
  if (res.status !== 201) throw new Error(`creating an EAB key failed: ${res.status} ${text}`);
  return JSON.parse(text) as CreatedMacKey;
}
