-- AlterTable
ALTER TABLE "Account" ADD COLUMN     "createdFromIp" TEXT,
ADD COLUMN     "createdFromIpv6Range" TEXT;

-- AlterTable
ALTER TABLE "Certificate" ADD COLUMN     "registeredDomains" TEXT[] DEFAULT ARRAY[]::TEXT[];

-- CreateTable
CREATE TABLE "RateLimitOverride" (
    "accountId" TEXT NOT NULL,
    "limit" TEXT NOT NULL,
    "value" INTEGER NOT NULL,
    "note" TEXT NOT NULL DEFAULT '',
    "setBy" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "RateLimitOverride_pkey" PRIMARY KEY ("accountId","limit")
);

-- CreateIndex
CREATE INDEX "Account_aliasId_createdFromIp_createdAt_idx" ON "Account"("aliasId", "createdFromIp", "createdAt");

-- CreateIndex
CREATE INDEX "Account_aliasId_createdFromIpv6Range_createdAt_idx" ON "Account"("aliasId", "createdFromIpv6Range", "createdAt");

-- CreateIndex
CREATE INDEX "Authorization_accountId_status_expiresAt_idx" ON "Authorization"("accountId", "status", "expiresAt");

-- CreateIndex
CREATE INDEX "Certificate_registeredDomains_idx" ON "Certificate" USING GIN ("registeredDomains");

-- AddForeignKey
ALTER TABLE "RateLimitOverride" ADD CONSTRAINT "RateLimitOverride_accountId_fkey" FOREIGN KEY ("accountId") REFERENCES "Account"("id") ON DELETE CASCADE ON UPDATE CASCADE;
