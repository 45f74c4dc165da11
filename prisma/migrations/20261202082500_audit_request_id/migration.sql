-- Issue 17: each audit record names the request that caused it (its X-Request-Id), so an
-- operator can go from the audit log to the request's log line and back.
ALTER TABLE "AuditEvent" ADD COLUMN "requestId" TEXT;
