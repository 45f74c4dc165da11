-- Issue 12 item 4: end entities in RA mode. Certificates issued before keep a null endEntityId.

-- CreateEnum
CREATE TYPE "EndEntityStatus" AS ENUM ('NEW', 'GENERATED');

-- AlterTable
ALTER TABLE "Certificate" ADD COLUMN     "endEntityId" TEXT;

-- CreateTable
CREATE TABLE "EndEntity" (
    "id" TEXT NOT NULL,
    "username" TEXT NOT NULL,
    "status" "EndEntityStatus" NOT NULL DEFAULT 'NEW',
    "subjectDn" TEXT NOT NULL,
    "subjectAltNames" TEXT[],
    "aliasId" TEXT,
    "endEntityProfileName" TEXT,
    "certificateProfileName" TEXT,
    "caId" TEXT,
    "orderId" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "EndEntity_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "EndEntity_username_key" ON "EndEntity"("username");

-- CreateIndex
CREATE INDEX "EndEntity_orderId_idx" ON "EndEntity"("orderId");

-- CreateIndex
CREATE INDEX "EndEntity_updatedAt_idx" ON "EndEntity"("updatedAt");

-- CreateIndex
CREATE INDEX "Certificate_endEntityId_status_idx" ON "Certificate"("endEntityId", "status");

-- AddForeignKey
ALTER TABLE "Certificate" ADD CONSTRAINT "Certificate_endEntityId_fkey" FOREIGN KEY ("endEntityId") REFERENCES "EndEntity"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "EndEntity" ADD CONSTRAINT "EndEntity_aliasId_fkey" FOREIGN KEY ("aliasId") REFERENCES "Alias"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "EndEntity" ADD CONSTRAINT "EndEntity_caId_fkey" FOREIGN KEY ("caId") REFERENCES "CertificateAuthority"("id") ON DELETE SET NULL ON UPDATE CASCADE;
