-- CreateTable
CREATE TABLE "ClientTrustAnchor" (
    "id" TEXT NOT NULL,
    "sha256" TEXT NOT NULL,
    "der" BYTEA NOT NULL,
    "subjectDn" TEXT NOT NULL,
    "notBefore" TIMESTAMP(3) NOT NULL,
    "notAfter" TIMESTAMP(3) NOT NULL,
    "source" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ClientTrustAnchor_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ClientAccessRule" (
    "id" TEXT NOT NULL,
    "aliasId" TEXT NOT NULL,
    "match" TEXT NOT NULL,
    "matchKey" TEXT NOT NULL,
    "certificateSha256" TEXT,
    "certificatePem" TEXT,
    "issuerDn" TEXT NOT NULL,
    "subjectPattern" TEXT NOT NULL,
    "rights" TEXT[],
    "description" TEXT NOT NULL DEFAULT '',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ClientAccessRule_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "ClientTrustAnchor_sha256_key" ON "ClientTrustAnchor"("sha256");

-- CreateIndex
CREATE UNIQUE INDEX "ClientAccessRule_aliasId_matchKey_key" ON "ClientAccessRule"("aliasId", "matchKey");

-- AddForeignKey
ALTER TABLE "ClientAccessRule" ADD CONSTRAINT "ClientAccessRule_aliasId_fkey" FOREIGN KEY ("aliasId") REFERENCES "Alias"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Keyward's own CAs are client trust anchors by default (issue 11). New installations enter them
-- when the CAs are created (lib/ca/authorities.ts); this does it for installations that had them.
INSERT INTO "ClientTrustAnchor" ("id", "sha256", "der", "subjectDn", "notBefore", "notAfter", "source")
SELECT gen_random_uuid()::text, encode(sha256("certificateDer"), 'hex'), "certificateDer", "subjectDn",
       "notBefore", "notAfter", 'keyward'
FROM "CertificateAuthority"
ON CONFLICT ("sha256") DO NOTHING;
