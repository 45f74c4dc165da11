-- Issue 13: one validation per authorization (RFC 8555 §7.5.1 leaves it to the server; Keyward
-- validates an authorization once) is kept by a unique index rather than by an advisory lock
-- and a transaction, so that answering a challenge is one statement.
ALTER TABLE "ValidationJob" ADD COLUMN "authorizationId" TEXT;
UPDATE "ValidationJob" AS j SET "authorizationId" = c."authorizationId"
  FROM "Challenge" AS c WHERE c."id" = j."challengeId";
ALTER TABLE "ValidationJob" ALTER COLUMN "authorizationId" SET NOT NULL;
CREATE UNIQUE INDEX "ValidationJob_authorizationId_key" ON "ValidationJob"("authorizationId");
