// RFC 8555 §7.1.1: the directory, with meta as the alias configures it.
import type { AcmeContext, AcmeReply } from "@/lib/acme/resources/types";
import { toDirectoryJson } from "@/lib/acme/wire/objects";

export async function getDirectory(ctx: AcmeContext): Promise<AcmeReply> {
  return { status: 200, body: toDirectoryJson(ctx.alias.settings, ctx.links) };
}
