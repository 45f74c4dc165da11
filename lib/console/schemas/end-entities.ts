// End entities as the console searches them (username or subject, status, alias; sorted in the
// URL) and opens one (issue 12 item 9). Read-only: ACME creates and enrols them.
import { z } from "zod";
import { pagingSchema, searchSchema } from "./common";

/** EJBCA's names (spec "EJBCA Specifics": "created or reset (status = NEW)"). */
export const END_ENTITY_STATUSES = ["NEW", "GENERATED"] as const;
export type EndEntityStatus = (typeof END_ENTITY_STATUSES)[number];

export const END_ENTITY_SORTS = ["updated", "username"] as const;

const emptyAsUndefined = (v: unknown) => (v === "" ? undefined : v);

export const endEntityListQuerySchema = pagingSchema.extend({
  // Part of the username or of the subject DN, case-insensitive; % and _ match themselves.
  q: searchSchema,
  status: z.preprocess(
    emptyAsUndefined,
    z.enum(END_ENTITY_STATUSES, { error: "One of NEW, GENERATED" }).optional(),
  ),
  alias: searchSchema,
  sort: z.preprocess(
    emptyAsUndefined,
    z.enum(END_ENTITY_SORTS, { error: "One of updated, username" }).default("updated"),
  ),
  dir: z.preprocess(emptyAsUndefined, z.enum(["asc", "desc"], { error: "asc or desc" }).default("desc")),
});
export type EndEntityListQuery = z.infer<typeof endEntityListQuerySchema>;

// End entity ids are UUIDs (prisma/schema.prisma).
export const endEntityParamsSchema = z.object({ id: z.uuid("An end entity id is a UUID") });
