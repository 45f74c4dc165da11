-- CreateEnum
CREATE TYPE "ApprovalKind" AS ENUM ('registration', 'keyChange');

-- CreateEnum
CREATE TYPE "ApprovalStatus" AS ENUM ('pending', 'approved', 'rejected', 'expired');

-- CreateEnum
CREATE TYPE "ApprovalVerdict" AS ENUM ('approve', 'reject');

-- AlterTable
ALTER TABLE "Account" ADD COLUMN     "termsOfServiceVersion" INTEGER;

-- CreateTable
CREATE TABLE "ApprovalProfile" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "approvalsRequired" INTEGER NOT NULL DEFAULT 1,
    "administratorsMayApprove" BOOLEAN NOT NULL DEFAULT false,
    "selfApprovalAllowed" BOOLEAN NOT NULL DEFAULT false,
    "requestValiditySeconds" INTEGER NOT NULL DEFAULT 604800,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ApprovalProfile_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ApprovalRequest" (
    "id" SERIAL NOT NULL,
    "aliasId" TEXT NOT NULL,
    "kind" "ApprovalKind" NOT NULL,
    "status" "ApprovalStatus" NOT NULL DEFAULT 'pending',
    "jwk" JSONB NOT NULL,
    "keyThumbprint" TEXT NOT NULL,
    "accountId" TEXT,
    "oldKeyThumbprint" TEXT,
    "contact" TEXT[],
    "clientIp" TEXT,
    "profileName" TEXT NOT NULL,
    "approvalsRequired" INTEGER NOT NULL,
    "administratorsMayApprove" BOOLEAN NOT NULL,
    "selfApprovalAllowed" BOOLEAN NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "decidedAt" TIMESTAMP(3),
    "appliedAt" TIMESTAMP(3),
    "openSlot" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ApprovalRequest_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ApprovalDecision" (
    "id" TEXT NOT NULL,
    "requestId" INTEGER NOT NULL,
    "userId" TEXT NOT NULL,
    "verdict" "ApprovalVerdict" NOT NULL,
    "comment" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ApprovalDecision_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "TermsOfServiceVersion" (
    "id" TEXT NOT NULL,
    "aliasId" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "url" TEXT NOT NULL,
    "changeUrl" TEXT,
    "effectiveAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "publishedBy" TEXT NOT NULL,

    CONSTRAINT "TermsOfServiceVersion_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "ApprovalProfile_name_key" ON "ApprovalProfile"("name");

-- CreateIndex
CREATE UNIQUE INDEX "ApprovalRequest_openSlot_key" ON "ApprovalRequest"("openSlot");

-- CreateIndex
CREATE INDEX "ApprovalRequest_status_expiresAt_idx" ON "ApprovalRequest"("status", "expiresAt");

-- CreateIndex
CREATE INDEX "ApprovalRequest_accountId_idx" ON "ApprovalRequest"("accountId");

-- CreateIndex
CREATE UNIQUE INDEX "ApprovalDecision_requestId_userId_key" ON "ApprovalDecision"("requestId", "userId");

-- CreateIndex
CREATE UNIQUE INDEX "TermsOfServiceVersion_aliasId_version_key" ON "TermsOfServiceVersion"("aliasId", "version");

-- AddForeignKey
ALTER TABLE "ApprovalRequest" ADD CONSTRAINT "ApprovalRequest_aliasId_fkey" FOREIGN KEY ("aliasId") REFERENCES "Alias"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ApprovalRequest" ADD CONSTRAINT "ApprovalRequest_accountId_fkey" FOREIGN KEY ("accountId") REFERENCES "Account"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ApprovalDecision" ADD CONSTRAINT "ApprovalDecision_requestId_fkey" FOREIGN KEY ("requestId") REFERENCES "ApprovalRequest"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ApprovalDecision" ADD CONSTRAINT "ApprovalDecision_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "TermsOfServiceVersion" ADD CONSTRAINT "TermsOfServiceVersion_aliasId_fkey" FOREIGN KEY ("aliasId") REFERENCES "Alias"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Data: the terms of service an alias already names become its version 1, in effect since the
-- alias was last stored; accounts that agreed to terms agreed to that version.
INSERT INTO "TermsOfServiceVersion" ("id", "aliasId", "version", "url", "changeUrl", "effectiveAt", "publishedBy")
SELECT gen_random_uuid()::text, a."id", 1, a."settings"->>'termsOfServiceUrl',
       NULLIF(a."settings"->>'termsOfServiceChangeUrl', ''), a."updatedAt", 'system'
FROM "Alias" a
WHERE COALESCE(a."settings"->>'termsOfServiceUrl', '') <> '';

UPDATE "Account" acc SET "termsOfServiceVersion" = 1
FROM "TermsOfServiceVersion" v
WHERE v."aliasId" = acc."aliasId" AND v."version" = 1 AND acc."termsOfServiceAgreed";

-- Data: approval profiles that aliases already name (the fields were stored before anything
-- enforced them) are created with the defaults: 1 approval by an approver, open for 7 days.
INSERT INTO "ApprovalProfile" ("id", "name", "updatedAt")
SELECT gen_random_uuid()::text, n.name, CURRENT_TIMESTAMP
FROM (
  SELECT "settings"->>'registrationApprovalProfile' AS name FROM "Alias"
  UNION
  SELECT "settings"->>'keyChangeApprovalProfile' FROM "Alias"
) n
WHERE COALESCE(n.name, '') <> '';
