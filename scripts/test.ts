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

// Three vitest runs at once, which share nothing (ports are chosen by the system, databases and
// data directories are fresh): integration and interop (one file at a time, mostly waiting on
// servers), unit (its files in parallel), and the console's e2e suite (Chromium, its own server;
// screenshots in test-results/screenshots). In one run vitest ran the projects one after another
// (unit 5½ min, then integration 7, then interop), leaving a core idle for most of it; side by
// side the suite fits in 15 minutes on 2 cores. The unit and e2e runs' output is printed when
// they end. With arguments (a file filter, say) only the first run happens, over every project
// but e2e.
const side = (name: string, project: string) => {
  fs.rmSync(path.join(results, `vitest-${name}.json`), { force: true });
  const log = path.join(results, `${name}.log`);
  return {
    log,
    title: name,
    run:
      extraArgs.length === 0
        ? runVitest([`--project=${project}`], `vitest-${name}.json`, log)
        : Promise.resolve({ passed: 0, failed: 0, ok: true }),
  };
};
const sides = [side("unit", "unit"), side("e2e", "e2e")];
const [main, ...others] = await Promise.all([
  runVitest(
    extraArgs.length === 0 ? ["--project=integration", "--project=interop"] : ["--project=!e2e"],
    "vitest.json",
  ),
  ...sides.map((s) => s.run),
]);
if (extraArgs.length === 0) {
  for (const s of sides) {
    console.log(`\n── ${s.title === "e2e" ? "Console (e2e, Chromium)" : "Unit"} ──`);
    process.stdout.write(fs.readFileSync(s.log, "utf8"));
  }
}
const all = [main, ...others];
const passed = all.reduce((n, r) => n + r.passed, 0);
const failed = all.reduce((n, r) => n + r.failed, 0);
console.log(`\n${passed} passed, ${failed} failed`);
process.exit(all.every((r) => r.ok) ? 0 : 1);
