// `npm test`: the whole suite — unit, integration (real server, real PostgreSQL or the embedded
// database, real ACME client library). With DATABASE_URL set, every run creates fresh databases
// on that (loopback) server; without it, the embedded PGlite is used.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { ensureBuild } from "./ensure-build";

const ROOT = path.resolve(import.meta.dirname, "..");
process.env.NEXT_TELEMETRY_DISABLED = "1";
process.env.CHECKPOINT_DISABLE = "1";

if (process.env.DATABASE_URL) {
  const host = new URL(process.env.DATABASE_URL).hostname;
  if (!["127.0.0.1", "localhost", "::1", "[::1]"].includes(host)) {
    console.error(`DATABASE_URL points at ${host}: tests only run against a loopback PostgreSQL`);
    process.exit(2);
  }
  console.log(`Tests use fresh databases on ${host} (DATABASE_URL)`);
} else {
  console.log("DATABASE_URL is not set: tests use the embedded database (PGlite)");
}

ensureBuild();

const results = path.join(ROOT, "test-results");
fs.mkdirSync(results, { recursive: true });
const vitest = spawnSync(
  process.execPath,
  [path.join(ROOT, "node_modules", "vitest", "vitest.mjs"), "run", "--reporter=default", "--reporter=json", `--outputFile.json=${path.join(results, "vitest.json")}`, ...process.argv.slice(2)],
  { cwd: ROOT, stdio: "inherit" },
);

let passed = 0;
let failed = 0;
try {
  const report = JSON.parse(fs.readFileSync(path.join(results, "vitest.json"), "utf8"));
  passed = report.numPassedTests;
  // A failing global setup fails the run without failing a test: still count it as a failure.
  failed = Math.max(report.numFailedTests, vitest.status === 0 ? 0 : 1);
} catch {
  failed = 1;
}
console.log(`\n${passed} passed, ${failed} failed`);
process.exit(vitest.status === 0 && failed === 0 ? 0 : 1);
