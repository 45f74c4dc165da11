// Stored rows for the bench's "cost per order is flat from 1k to 100k rows" check (issue 13): on
// the bench alias, `total` accounts, each with one valid order, authorization and certificate,
// inserted by generate_series in batches. The certificates' DER is filler: nothing serves them.
// A bench tool, not application code: it writes tables directly, as a restore would.
import pg from "pg";
import { BENCH_ALIAS } from "./targets";

const BATCH = 20_000;

/** Tops the seeded rows up to `total` (rows seeded earlier count). */
export async function seedRows(databaseUrl: string, total: number): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: string }>(
      `SELECT count(*) AS n FROM "Account" WHERE "id" LIKE 'seed-%'`,
    );
    for (let from = Number(rows[0]?.n ?? 0); from < total; from += BATCH) {
      const to = Math.min(total, from + BATCH) - 1;
      await client.query("BEGIN");
      await client.query(
        `INSERT INTO "Account" ("id", "aliasId", "status", "jwk", "keyThumbprint", "contact",
                                "termsOfServiceAgreed", "createdAt", "updatedAt")
         SELECT 'seed-' || n, a."id", 'valid', '{"kty":"EC"}'::jsonb, 'seed-' || n, '{}', true,
                now() - interval '30 days', now()
           FROM generate_series($1::int, $2::int) n, "Alias" a WHERE a."name" = $3`,
        [from, to, BENCH_ALIAS],
      );
      await client.query(
        `INSERT INTO "Order" ("id", "accountId", "status", "expiresAt", "identifiers", "createdAt", "updatedAt")
         SELECT 'seed-' || n, 'seed-' || n, 'valid', now() - interval '20 days',
                jsonb_build_array(jsonb_build_object('type', 'dns', 'value', 'seed' || n || '.example')),
                now() - interval '30 days', now() - interval '30 days'
           FROM generate_series($1::int, $2::int) n`,
        [from, to],
      );
      await client.query(
        `INSERT INTO "Authorization" ("id", "accountId", "identifierType", "identifierValue", "status",
                                      "expiresAt", "createdAt", "updatedAt")
         SELECT 'seed-' || n, 'seed-' || n, 'dns', 'seed' || n || '.example', 'valid',
                now() + interval '1 day', now() - interval '30 days', now() - interval '30 days'
           FROM generate_series($1::int, $2::int) n`,
        [from, to],
      );
      await client.query(
        `INSERT INTO "OrderAuthorization" ("orderId", "authorizationId")
         SELECT 'seed-' || n, 'seed-' || n FROM generate_series($1::int, $2::int) n`,
        [from, to],
      );
      await client.query(
        `INSERT INTO "Certificate" ("id", "serialHex", "accountId", "orderId", "issuerId", "der", "subjectDn",
                                    "names", "registeredDomains", "spkiSha256", "keyAlgorithm",
                                    "notBefore", "notAfter", "createdAt")
         SELECT 'seed-' || n, 'ff' || lpad(to_hex(n), 30, '0'), 'seed-' || n, 'seed-' || n, ca."id",
                decode(repeat('30', 600), 'hex'), 'CN=seed' || n || '.example',
                ARRAY['dns:seed' || n || '.example'], ARRAY['seed' || n || '.example'], 'seed-' || n,
                'ECDSA-P256', now() - interval '30 days', now() + interval '60 days', now() - interval '30 days'
           FROM generate_series($1::int, $2::int) n, "CertificateAuthority" ca WHERE ca."role" = 'issuing'`,
        [from, to],
      );
      await client.query("COMMIT");
    }
    await client.query(`ANALYZE "Account", "Order", "Authorization", "OrderAuthorization", "Certificate"`);
  } finally {
    await client.end();
  }
}
