// GET ?format=pem|chain|der&chain=<n>: a CA certificate (chain 0) or one of its cross-certificates
// (chain 1…), or it and the certificates above it up to the root, as a file.
import { fileResponse } from "@/lib/console/api/file-response";
import { withConsole } from "@/lib/console/api/with-console";
import { downloadCertificateAuthority } from "@/lib/console/authorities";
import { caDownloadQuerySchema, caParamsSchema } from "@/lib/console/schemas/authorities";

export const GET = withConsole(
  { permission: "console.read", params: caParamsSchema, query: caDownloadQuerySchema },
  async ({ actor, params, query }) =>
    fileResponse(
      await downloadCertificateAuthority({ actor, id: params.id, format: query.format, chain: query.chain }),
    ),
);
