/**
 * `~/.mlflow/credentials`: the INI file the Python client reads for Basic credentials (section
 * `[mlflow]`, keys `mlflow_tracking_username` and `mlflow_tracking_password`).
 */
import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { registerSecret } from "../core/redact.js";
import { type Env, readEnv } from "./env.js";

/** `~/.mlflow/credentials`, an INI file with section `[mlflow]`, as the Python client reads it. */
export function readCredentialsFile(env: Env): { path: string; username?: string; password?: string } | undefined {
  const path = join(readEnv(env, "HOME") ?? homedir(), ".mlflow", "credentials");
  if (!existsSync(path)) return undefined;
  const values = parseIniSection(readFileSync(path, "utf8"), "mlflow");
  registerSecret(values.mlflow_tracking_password);
  return { path, username: values.mlflow_tracking_username || undefined, password: values.mlflow_tracking_password || undefined };
}

function parseIniSection(text: string, section: string): Record<string, string> {
  const values: Record<string, string> = {};
  let inSection = false;
  for (const line of text.split(/\r?\n/)) {
    const header = /^\s*\[([^\]]+)\]\s*$/.exec(line);
    if (header) {
      inSection = header[1]!.trim() === section;
      continue;
    }
    const pair = /^\s*([^=#;]+?)\s*=\s*(.*?)\s*$/.exec(line);
    if (inSection && pair) values[pair[1]!] = pair[2]!;
  }
  return values;
}
