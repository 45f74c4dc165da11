// Authorizations with their challenges, read in one statement (issue 13: through Prisma, two).
import type { Db } from "../client";
import type { AuthorizationStatus, ChallengeStatus } from "../generated/client";
import { query, statement } from "../statements";

export type AuthorizationChallengeRow = {
  id: string;
  type: string;
  token: string;
  status: ChallengeStatus;
  validatedAt: Date | null;
  error: unknown;
};

export type AuthorizationRow = {
  id: string;
  accountId: string;
  identifierType: string;
  identifierValue: string;
  wildcard: boolean;
  status: AuthorizationStatus;
  expiresAt: Date;
  /** Sorted by type. */
  challenges: AuthorizationChallengeRow[];
};

const SELECT_AUTHORIZATION = statement(
  "authorization_by_id",
  `SELECT a."id", a."accountId", a."identifierType", a."identifierValue", a."wildcard",
          a."status"::text AS "status", a."expiresAt",
          (SELECT COALESCE(json_agg(json_build_object(
                    'id', c."id", 'type', c."type", 'token', c."token", 'status', c."status",
                    'validatedAt', c."validatedAt", 'error', c."error") ORDER BY c."type"), '[]'::json)
             FROM "Challenge" c WHERE c."authorizationId" = a."id") AS "challenges"
     FROM "Authorization" a WHERE a."id" = $1`,
);

type RawAuthorizationRow = Omit<AuthorizationRow, "challenges"> & {
  challenges: (Omit<AuthorizationChallengeRow, "validatedAt"> & { validatedAt: string | null })[];
};

export async function selectAuthorization(db: Db, id: string): Promise<AuthorizationRow | null> {
  const [row] = await query<RawAuthorizationRow>(db, SELECT_AUTHORIZATION, [id]);
  if (!row) return null;
  return {
    ...row,
    // json_build_object writes a timestamp(3) as "YYYY-MM-DDTHH:MM:SS.mmm", in UTC (client.ts).
    challenges: row.challenges.map((c) => ({
      ...c,
      validatedAt: c.validatedAt === null ? null : new Date(`${c.validatedAt}Z`),
    })),
  };
}
