// `npm test`: the whole suite — unit, integration (real server, real PostgreSQL or the embedded
// database, real ACME client library). With DATABASE_URL set, every run creates fresh databases
// on that (loopback) server; without it, the embedded PGlite is used.
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { ensureBuild } from "./ensure-build";

const ROOT = path.resolve(import.meta.dirname, "..");

/** Programs the suite drives, and the Debian package of each. */
const DEBIAN_PROGRAMS: Record<string, string> = {
  "/usr/bin/pebble-challtestsrv": "pebble",
  "/usr/bin/pebble": "pebble",
  "/usr/bin/certbot": "certbot",
  "/usr/bin/lego": "lego",
  "/usr/bin/chromium": "chromium",
  "/usr/bin/openssl": "openssl",
  "/usr/bin/prometheus": "prometheus",
  "/usr/bin/promtool": "prometheus",
};

/** Installs missing Debian packages when running as root; otherwise stops and names them. */
function ensureDebianPackages(): void {
  const missing = [
    ...new Set(
      Object.entries(DEBIAN_PROGRAMS)
        .filter(([file]) => !fs.existsSync(file))
        .map(([, pkg]) => pkg),
    ),
  ];
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0) {
    console.error(
      `The test suite needs these Debian packages: ${missing.join(" ")}\nInstall them with: sudo apt-get install -y ${missing.join(" ")}`,
    );
    process.exit(2);
  }
  console.log(`Installing Debian packages the suite needs: ${missing.join(" ")}`);
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  for (const args of [
    ["update", "-qq"],
    ["install", "-y", "-qq", "--no-install-recommends", ...missing],
  ]) {
    const r = spawnSync("apt-get", args, { stdio: "inherit", env });
    if (r.status !== 0) {
      console.error(`apt-get ${args[0]} failed; install ${missing.join(" ")} and run the tests again`);
      process.exit(2);
    }
  }
}
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

ensureDebianPackages();
ensureBuild();

const results = path.join(ROOT, "test-results");
fs.mkdirSync(results, { recursive: true });
const extraArgs = process.argv.slice(2);

type RunResult = { passed: number; failed: number; ok: boolean };

/**
 * One vitest run; its passed/failed counts from the JSON report. Its output goes to this
 * process's, or, with `logFile`, to that file (printed by the caller when the run is over).
 */
async function runVitest(projectArgs: string[], report: string, logFile?: string): Promise<RunResult> {
  const log = logFile ? fs.openSync(logFile, "w") : undefined;
  const child = spawn(
    process.execPath,
    [
      path.join(ROOT, "node_modules", "vitest", "vitest.mjs"),
      "run",
      ...projectArgs,
      "--reporter=default",
      "--reporter=json",
      `--outputFile.json=${path.join(results, report)}`,
      ...extraArgs,
    ],
    {
      cwd: ROOT,
      stdio: log === undefined ? "inherit" : ["ignore", log, log],
    },
  );
  const status = await new Promise<number | null>((resolve) => child.once("exit", resolve));
  if (log !== undefined) fs.closeSync(log);
  try {
    const json = JSON.parse(fs.readFileSync(path.join(results, report), "utf8"));
    // A failing global setup fails the run without failing a test: still count it as a failure.
    const failed = Math.max(json.numFailedTests, status === 0 ? 0 : 1);
    return { passed: json.numPassedTests, failed, ok: status === 0 && failed === 0 };
  } catch {
    return { passed: 0, failed: 1, ok: false };
  }
}

// Unit, integration and interop in one run; the console's e2e suite (Chromium, its own server on
// a fresh database; screenshots in test-results/screenshots) in another at the same time: they
// share nothing (ports are chosen by the system, databases and data directories are fresh), and
// the first run is mostly one test file at a time waiting on servers, so the second core is
// otherwise idle (the whole suite fits in 15 minutes on 2 cores this way). The e2e run's output
// is printed when it ends. With arguments (a file filter, say) only the first run happens.
fs.rmSync(path.join(results, "vitest-e2e.json"), { force: true });
const e2eLog = path.join(results, "e2e.log");
const [main, e2e] = await Promise.all([
  runVitest(["--project=!e2e"], "vitest.json"),
  extraArgs.length === 0
    ? runVitest(["--project=e2e"], "vitest-e2e.json", e2eLog)
    : Promise.resolve({ passed: 0, failed: 0, ok: true }),
]);
if (extraArgs.length === 0) {
  console.log("\n── Console (e2e, Chromium) ──");
  process.stdout.write(fs.readFileSync(e2eLog, "utf8"));
}
const passed = main.passed + e2e.passed;
const failed = main.failed + e2e.failed;
console.log(`\n${passed} passed, ${failed} failed`);
process.exit(main.ok && e2e.ok ? 0 : 1);
