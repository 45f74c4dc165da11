-- AlterTable
ALTER TABLE "EabKey" ADD COLUMN     "namespace" TEXT;

-- CreateTable
CREATE TABLE "CertificateProfile" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "keyAlgorithms" TEXT[],
    "ecdsaCurves" TEXT[],
    "rsaBitLengths" INTEGER[],
    "validity" TEXT NOT NULL,
    "validitySeconds" INTEGER NOT NULL,
    "keyUsages" TEXT[],
    "extendedKeyUsages" TEXT[],
    "availableCaIds" TEXT[],
    "singleActiveCertificate" BOOLEAN NOT NULL DEFAULT false,
    "eabNamespace" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "CertificateProfile_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "EndEntityProfile" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "subjectDnAttributes" TEXT[],
    "maxDnsNames" INTEGER NOT NULL,
    "maxIpAddresses" INTEGER NOT NULL,
    "defaultCertificateProfileId" TEXT,
    "defaultCaId" TEXT,
    "batchGeneration" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "EndEntityProfile_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "CertificateProfile_name_key" ON "CertificateProfile"("name");

-- CreateIndex
CREATE UNIQUE INDEX "EndEntityProfile_name_key" ON "EndEntityProfile"("name");

-- AddForeignKey
ALTER TABLE "EndEntityProfile" ADD CONSTRAINT "EndEntityProfile_defaultCertificateProfileId_fkey" FOREIGN KEY ("defaultCertificateProfileId") REFERENCES "CertificateProfile"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "EndEntityProfile" ADD CONSTRAINT "EndEntityProfile_defaultCaId_fkey" FOREIGN KEY ("defaultCaId") REFERENCES "CertificateAuthority"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- Aliases stored an end entity profile's name before profiles existed (nothing read it). Keep what
-- operators typed: an empty name becomes "none", and every other name becomes a profile with the
-- default fields (the built-in behaviour), so each alias names a profile that exists.
UPDATE "Alias" SET "settings" = jsonb_set("settings", '{endEntityProfile}', 'null'::jsonb)
WHERE jsonb_typeof("settings" -> 'endEntityProfile') = 'string'
  AND btrim("settings" ->> 'endEntityProfile') = '';

INSERT INTO "EndEntityProfile" ("id", "name", "subjectDnAttributes", "maxDnsNames", "maxIpAddresses", "batchGeneration", "updatedAt")
SELECT gen_random_uuid()::text, n.name, ARRAY[]::TEXT[], 100, 100, false, CURRENT_TIMESTAMP
FROM (
  SELECT DISTINCT "settings" ->> 'endEntityProfile' AS name FROM "Alias"
  WHERE btrim(coalesce("settings" ->> 'endEntityProfile', '')) <> ''
) AS n;
