-- AlterTable
ALTER TABLE "CertificateAuthority" ADD COLUMN     "externalChainDer" BYTEA[] DEFAULT ARRAY[]::BYTEA[];
