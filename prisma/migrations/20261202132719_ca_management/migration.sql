/*
  Warnings:

  - A unique constraint covering the columns `[successorId]` on the table `CertificateAuthority` will be added. If there are existing duplicate values, this will fail.

*/
-- AlterTable
ALTER TABLE "CertificateAuthority" ADD COLUMN     "imported" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "successorId" TEXT;

-- CreateTable
CREATE TABLE "CaCrossCertificate" (
    "id" TEXT NOT NULL,
    "caId" TEXT NOT NULL,
    "issuerId" TEXT NOT NULL,
    "certificateDer" BYTEA NOT NULL,
    "serialHex" TEXT NOT NULL,
    "notBefore" TIMESTAMP(3) NOT NULL,
    "notAfter" TIMESTAMP(3) NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "CaCrossCertificate_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "CaCrossCertificate_caId_createdAt_idx" ON "CaCrossCertificate"("caId", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "CertificateAuthority_successorId_key" ON "CertificateAuthority"("successorId");

-- AddForeignKey
ALTER TABLE "CaCrossCertificate" ADD CONSTRAINT "CaCrossCertificate_caId_fkey" FOREIGN KEY ("caId") REFERENCES "CertificateAuthority"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CaCrossCertificate" ADD CONSTRAINT "CaCrossCertificate_issuerId_fkey" FOREIGN KEY ("issuerId") REFERENCES "CertificateAuthority"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
