// Starts the real Keyward server (server.ts) as a child process on free loopback ports and stops
// it by PID. Used by integration, interop and e2e tests.
import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";

export type RunningServer = {
  pid: number;
  httpUrl: string;
  httpsUrl: string;
  /** The mutual-TLS port: ACME with client-certificate authentication. */
  mtlsUrl: string;
  output: () => string;
  stop: () => Promise<number | null>;
};

const ROOT = path.resolve(import.meta.dirname, "../..");
const READY = /KEYWARD_READY (\{.*\})/;

export async function startServer(
  env: Record<string, string | undefined>,
  timeoutMs = 120_000,
): Promise<RunningServer> {
  // KEYWARD_SERVER_NODE_ARGS: extra Node flags for the server, e.g. "--cpu-prof --cpu-prof-dir=prof"
  // (Node refuses --cpu-prof in NODE_OPTIONS).
  const nodeArgs = process.env.KEYWARD_SERVER_NODE_ARGS?.split(" ").filter(Boolean) ?? [];
  const child: ChildProcess = spawn(process.execPath, [...nodeArgs, "--import", "tsx", "server.ts"], {
    cwd: ROOT,
    env: {
      ...process.env,
      NEXT_TELEMETRY_DISABLED: "1",
      CHECKPOINT_DISABLE: "1",
      KEYWARD_LISTEN: "127.0.0.1",
      KEYWARD_HTTP_PORT: "0",
      KEYWARD_HTTPS_PORT: "0",
      KEYWARD_MTLS_PORT: "0",
      KEYWARD_HOSTNAMES: "localhost,127.0.0.1",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let log = "";
  child.stdout?.on("data", (d) => (log += d));
  child.stderr?.on("data", (d) => (log += d));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));

  const ports = await new Promise<{ http: number; https: number; mtls: number }>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`server did not start in ${timeoutMs} ms:\n${log}`)),
      timeoutMs,
    );
    const onData = () => {
      const m = READY.exec(log);
      if (m) {
        clearTimeout(timer);
        resolve(JSON.parse(m[1] as string));
      }
    };
    child.stdout?.on("data", onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before it was ready:\n${log}`));
    });
  });

  return {
    pid: child.pid as number,
    httpUrl: `http://127.0.0.1:${ports.http}`,
    httpsUrl: `https://localhost:${ports.https}`,
    mtlsUrl: `https://localhost:${ports.mtls}`,
    output: () => log,
    stop: async () => {
      // Already gone (it exited, or a signal killed it): nothing to stop.
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      process.kill(child.pid as number, "SIGTERM");
      const timer = setTimeout(() => child.pid && process.kill(child.pid, "SIGKILL"), 15_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}
