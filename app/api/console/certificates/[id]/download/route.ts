// GET ?format=pem|chain|der: the certificate, or the certificate and its chain, as a file.
import { fileResponse } from "@/lib/console/api/file-response";
import { withConsole } from "@/lib/console/api/with-console";
import { downloadCertificate } from "@/lib/console/certificates";
import { certificateDownloadQuerySchema, certificateParamsSchema } from "@/lib/console/schemas/certificates";

export const GET = withConsole(
  { permission: "console.read", params: certificateParamsSchema, query: certificateDownloadQuerySchema },
  async ({ actor, params, query }) =>
    fileResponse(await downloadCertificate({ actor, id: params.id, format: query.format })),
);
