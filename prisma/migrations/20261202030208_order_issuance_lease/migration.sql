-- AlterTable
ALTER TABLE "Order" ADD COLUMN     "csr" BYTEA,
ADD COLUMN     "processingUntil" TIMESTAMP(3);
