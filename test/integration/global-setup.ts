/**
 * Global setup of the integration suite: reads the environment the stack wrote (scripts/stack/up
 * has already run under `npm test`; when running this suite alone it is started here).
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";

export default function setup(): void {
  const envFile = resolve(process.env.MLFLOW_TS_STACK_DIR ?? ".stack", "env.json");
  if (!existsSync(envFile) || process.env.MLFLOW_TS_STACK_RESTART === "1") {
    execFileSync("bash", ["scripts/stack/up"], { stdio: "inherit" });
  } else {
    execFileSync("bash", ["scripts/stack/status"], { stdio: "inherit" });
  }
  const env = JSON.parse(readFileSync(envFile, "utf8")) as Record<string, string>;
  for (const [key, value] of Object.entries(env)) process.env[`STACK_ENV_${key}`] = value;
  process.env.MLFLOW_TS_STACK_ENV_FILE = envFile;
}
