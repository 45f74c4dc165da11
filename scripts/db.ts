// Database commands, in place of `prisma migrate`, which cannot run here (lib/db/migrate.ts says why).
//
//   npm run db:migrate                      apply pending prisma/migrations to DATABASE_URL, or to
//                                           the embedded database of KEYWARD_DATA_DIR when unset
//   npm run db:migration:create -- <name>   write prisma/migrations/<timestamp>_<name>/ from the
//                                           changes in prisma/schema.prisma (needs DATABASE_URL of a
//                                           real PostgreSQL; only used to host scratch databases)
//
// Exit codes: 0 done (including "nothing to do"), 1 the command failed, 2 wrong usage.
// Every path ends in process.exit: the schema engine leaves a timer running for ~10 s.
import { type EmbeddedDatabase, openEmbeddedDatabase } from "@/lib/db/embedded";
import { applyMigrations, createMigration } from "@/lib/db/migrate";
import { env } from "@/lib/env";

const USAGE = `Usage:
  npm run db:migrate
  npm run db:migration:create -- <name>     (name: letters, digits, underscores)`;

const EXIT_FAILED = 1;
const EXIT_USAGE = 2;

async function migrate(): Promise<void> {
  let embedded: EmbeddedDatabase | undefined;
  let url = env().DATABASE_URL;
  if (!url) {
    const { dataDir } = env();
    console.log(`DATABASE_URL is not set: migrating the embedded database in ${dataDir}`);
    embedded = await openEmbeddedDatabase({ dataDir });
    url = embedded.url;
  }
  try {
    const started = performance.now();
    const applied = await applyMigrations(url);
    const ms = Math.round(performance.now() - started);
    if (applied.length === 0) console.log(`Database is up to date (${ms} ms).`);
    else
      console.log(
        `Applied ${applied.length} migration(s) in ${ms} ms:\n${applied.map((n) => `  ${n}`).join("\n")}`,
      );
  } finally {
    await embedded?.stop();
  }
}

async function create(name: string | undefined): Promise<void> {
  if (!name) usageError("db:migration:create needs a migration name.");
  const url = env().DATABASE_URL;
  if (!url) {
    fail(
      "db:migration:create needs DATABASE_URL pointing at a real PostgreSQL server (the embedded database " +
        "cannot host the scratch databases it uses), e.g.\n" +
        "  DATABASE_URL=postgresql://user@127.0.0.1:5432/postgres npm run db:migration:create -- <name>",
    );
  }
  const dir = await createMigration(url, name);
  if (dir === null) console.log("prisma/schema.prisma has no changes that need a migration.");
  else console.log(`Created ${dir}\nReview it, then apply it with: npm run db:migrate`);
}

function usageError(message: string): never {
  console.error(`${message}\n\n${USAGE}`);
  process.exit(EXIT_USAGE);
}

function fail(message: string): never {
  console.error(message);
  process.exit(EXIT_FAILED);
}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  if (rest.length > (command === "create" ? 1 : 0)) usageError(`Unexpected arguments: ${rest.join(" ")}`);
  switch (command) {
    case "migrate":
      return migrate();
    case "create":
      return create(rest[0]);
    default:
      usageError(command ? `Unknown command: ${command}` : "No command given.");
  }
}

try {
  await main(process.argv.slice(2));
  process.exit(0);
} catch (error) {
  // Engine, connection and configuration errors are written for operators: the message is the
  // report. KEYWARD_MIGRATE_DEBUG=1 adds the stack and the engine's own trace (in `cause`).
  if (env().KEYWARD_MIGRATE_DEBUG) console.error(error);
  else console.error(`Error: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(EXIT_FAILED);
}
