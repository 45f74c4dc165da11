// GET: Keyward's certificate authorities (read-only): subject, validity, key, fingerprint.
import { withConsole } from "@/lib/console/api/with-console";
import { listCertificateAuthorities } from "@/lib/console/authorities";

export const GET = withConsole({ permission: "console.read" }, async ({ actor }) => ({
  items: await listCertificateAuthorities({ actor }),
}));
