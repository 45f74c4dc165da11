-- CreateEnum
CREATE TYPE "EabKeyType" AS ENUM ('mac', 'signature');

-- AlterTable
ALTER TABLE "Account" ADD COLUMN     "eabKeyId" TEXT,
ADD COLUMN     "eabKeyIdentifier" TEXT;

-- CreateTable
CREATE TABLE "EabKey" (
    "id" TEXT NOT NULL,
    "aliasId" TEXT NOT NULL,
    "type" "EabKeyType" NOT NULL,
    "keyIdentifier" TEXT NOT NULL,
    "macAlgorithm" TEXT,
    "macKeySealed" BYTEA,
    "publicKeyPem" TEXT,
    "signatureAlgorithm" TEXT,
    "bindsMany" BOOLEAN NOT NULL DEFAULT false,
    "boundAccounts" INTEGER NOT NULL DEFAULT 0,
    "expiresAt" TIMESTAMP(3),
    "disabledAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "createdBy" TEXT NOT NULL,

    CONSTRAINT "EabKey_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "EabKey_aliasId_keyIdentifier_key" ON "EabKey"("aliasId", "keyIdentifier");

-- CreateIndex
CREATE INDEX "Account_eabKeyId_idx" ON "Account"("eabKeyId");

-- AddForeignKey
ALTER TABLE "Account" ADD CONSTRAINT "Account_eabKeyId_fkey" FOREIGN KEY ("eabKeyId") REFERENCES "EabKey"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "EabKey" ADD CONSTRAINT "EabKey_aliasId_fkey" FOREIGN KEY ("aliasId") REFERENCES "Alias"("id") ON DELETE CASCADE ON UPDATE CASCADE;

