// The only ACME entry of the Next app: hands the request to lib/acme/http (DESIGN.md). Keyward's
// own server answers /acme before Next sees it; this route serves the same function when the
// app runs under `next start`. It can never see a TLS client certificate (nor tell a trusted
// proxy from anyone else), so it passes none: aliases that require one refuse what it serves.
import { serveAcme } from "@/lib/acme/http";

export const dynamic = "force-dynamic";
const handle = (req: Request) => serveAcme(req);

export { handle as GET, handle as HEAD, handle as POST, handle as OPTIONS };
