/**
 * Global setup of the `integration` project (integration and conformance suites): makes sure the
 * real stack answers and exposes its `.stack/env.json` values as `process.env.STACK_ENV_<KEY>`
 * (read them with `stackEnv()` from `test/integration/support/stack.ts`).
 *
 * Under `npm test` the stack is already up (scripts/test.sh ran `scripts/stack/up`) and this only
 * checks it. Run alone (`npx vitest run --project integration`), it runs `scripts/stack/up` when
 * the env file is missing, a service is down, or `MLFLOW_TS_STACK_RESTART=1`. A stack that cannot
 * be started fails the suite with the script's output; it is never skipped here.
 *
 * `MLFLOW_TS_STACK_VERSION=<version>` (a folder of scripts/stack/versions, e.g. `2.14.3`) points the
 * suites at that extra MLflow version's servers instead: its env file
 * `.stack/versions/<version>/env.json`, checked and started with `scripts/stack/{status,up} <version>`.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";

/** `up` may install PostgreSQL, a Python venv and build SeaweedFS on a fresh machine (~5 min measured). */
const UP_TIMEOUT_MS = 30 * 60_000;
const STATUS_TIMEOUT_MS = 60_000;

function stackIsUp(versionArgs: string[]): boolean {
  try {
    execFileSync("bash", ["scripts/stack/status", ...versionArgs], { stdio: "inherit", timeout: STATUS_TIMEOUT_MS });
    return true;
  } catch {
    return false;
  }
}

export default function setup(): void {
  const version = process.env.MLFLOW_TS_STACK_VERSION ?? "";
  if (version !== "" && !/^\d+\.\d+\.\d+$/.test(version)) {
    throw new Error(
      `MLFLOW_TS_STACK_VERSION="${version}" is not a version. Fix: name a folder of scripts/stack/versions, e.g. 2.14.3, or unset it for the default servers.`,
    );
  }
  const versionArgs = version === "" ? [] : [version];
  const stackDir = process.env.MLFLOW_TS_STACK_DIR ?? ".stack";
  const envFile = version === "" ? resolve(stackDir, "env.json") : resolve(stackDir, "versions", version, "env.json");
  const restart = process.env.MLFLOW_TS_STACK_RESTART === "1";
  if (restart || !existsSync(envFile) || !stackIsUp(versionArgs)) {
    execFileSync("bash", ["scripts/stack/up", ...versionArgs], { stdio: "inherit", timeout: UP_TIMEOUT_MS });
  }
  const env = JSON.parse(readFileSync(envFile, "utf8")) as Record<string, string>;
  for (const [key, value] of Object.entries(env)) process.env[`STACK_ENV_${key}`] = value;
  process.env.MLFLOW_TS_STACK_ENV_FILE = envFile;
}
