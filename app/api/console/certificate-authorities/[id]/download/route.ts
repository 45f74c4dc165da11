// GET ?format=pem|chain|der: a CA certificate, or it and the CAs above it, as a file.
import { z } from "zod";
import { fileResponse } from "@/lib/console/api/file-response";
import { withConsole } from "@/lib/console/api/with-console";
import { downloadCertificateAuthority } from "@/lib/console/authorities";
import { certificateDownloadQuerySchema } from "@/lib/console/schemas/certificates";

export const GET = withConsole(
  {
    permission: "console.read",
    params: z.object({ id: z.uuid() }),
    query: certificateDownloadQuerySchema,
  },
  async ({ actor, params, query }) =>
    fileResponse(await downloadCertificateAuthority({ actor, id: params.id, format: query.format })),
);
