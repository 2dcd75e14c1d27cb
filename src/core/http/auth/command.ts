/**
 * `commandAuth`: a token printed by a command (`vault read -field=token …`, `gcloud auth
 * print-identity-token`, a Kubernetes exec credential plugin), run through the shell, bounded by a
 * timeout that kills it. What it prints is a secret: it is never shown, only the program's name and
 * exit code are.
 */
import { exec } from "node:child_process";
import { z } from "zod";
import { AuthProviderError, ConfigurationError } from "../../errors.js";
import { SecretRotation } from "../../redact.js";
import { DEFAULT_AUTH_TIMEOUT_MS } from "./credential-cache.js";
import { withProviderSecrets } from "./provider-secrets.js";
import type { AuthProvider, AuthRefreshReason } from "./types.js";

/** How long a token printed without an expiry is used before the command runs again, ms: 5 min. */
export const DEFAULT_COMMAND_REFRESH_INTERVAL_MS = 5 * 60_000;
/** Largest output read from a token command, bytes: 64 KiB. */
export const MAX_COMMAND_OUTPUT_BYTES = 64 * 1024;

/** Options of {@link commandAuth}. */
export interface CommandAuthOptions {
  /**
   * Longest the command may run, ms, up to 30 000 (the client bounds every provider call to
   * `DEFAULT_AUTH_TIMEOUT_MS`); it is then killed and the call fails. @defaultValue 30000
   */
  timeoutMs?: number | undefined;
  /**
   * How long a token printed without an expiry is used, ms (the command also runs again after a
   * 401). A JSON answer's `expires_in`, `expires_at` or `status.expirationTimestamp` wins.
   * @defaultValue 300000 (5 min)
   */
  refreshIntervalMs?: number | undefined;
  /** The scheme before the token in the `Authorization` header. @defaultValue "Bearer" */
  scheme?: string | undefined;
  /** The command's environment. @defaultValue the process's environment */
  env?: Readonly<Record<string, string | undefined>> | undefined;
}

/** The JSON forms a command may print: OAuth2's token response, `{ token }`, or a Kubernetes ExecCredential. */
const jsonOutputSchema = z.object({
  access_token: z.string().min(1).optional(),
  token: z.string().min(1).optional(),
  expires_in: z.union([z.number(), z.string().regex(/^\d+(\.\d+)?$/)]).optional(),
  expires_at: z.union([z.number(), z.string()]).optional(),
  status: z.object({ token: z.string().min(1).optional(), expirationTimestamp: z.string().optional() }).optional(),
});

/**
 * An auth provider that runs `command` through the shell and sends `Authorization: Bearer <token>`.
 * The command prints either the token alone, or JSON: `{"access_token": "…", "expires_in": 3600}`
 * (OAuth2's token response), `{"token": "…", "expires_at": "2026-01-01T00:00:00Z"}` (or seconds
 * since the epoch), or a Kubernetes `ExecCredential` (`status.token`,
 * `status.expirationTimestamp`). It runs again before the expiry, after a 401, and every
 * `refreshIntervalMs` (5 min) when it prints no expiry. Env `MLFLOW_TS_TRACKING_TOKEN_COMMAND`.
 *
 * @param command - A shell command line, e.g. `vault read -field=token secret/mlflow`.
 * @throws {ConfigurationError} at once when `command` is empty or a duration is not positive.
 * A call fails with an `AuthProviderError` (never showing the command's output) when the command
 * exits non-zero, runs past `timeoutMs` (30 s) or prints no token.
 * @example
 * import { MlflowClient } from "mlflow-ts";
 * import { commandAuth } from "mlflow-ts/auth";
 *
 * const client = new MlflowClient({ auth: commandAuth("gcloud auth print-identity-token", { timeoutMs: 10_000 }) });
 */
export function commandAuth(command: string, options: CommandAuthOptions = {}): AuthProvider {
  const timeoutMs = options.timeoutMs ?? DEFAULT_AUTH_TIMEOUT_MS;
  const refreshIntervalMs = options.refreshIntervalMs ?? DEFAULT_COMMAND_REFRESH_INTERVAL_MS;
  const scheme = options.scheme ?? "Bearer";
  if (typeof command !== "string" || command.trim() === "") {
    throw new ConfigurationError("commandAuth(command)", 'commandAuth needs a command line. Fix: e.g. commandAuth("vault read -field=token secret/mlflow").');
  }
  for (const [key, value] of [
    ["timeoutMs", timeoutMs],
    ["refreshIntervalMs", refreshIntervalMs],
  ] as const) {
    if (!(Number.isFinite(value) && value > 0)) {
      throw new ConfigurationError(key, `commandAuth's ${key} must be a positive number of ms, got ${String(value)}. Fix: e.g. { ${key}: 30_000 }.`);
    }
  }
  if (timeoutMs > DEFAULT_AUTH_TIMEOUT_MS) {
    throw new ConfigurationError(
      "timeoutMs",
      `commandAuth's timeoutMs is ${timeoutMs} ms, more than the ${DEFAULT_AUTH_TIMEOUT_MS} ms the client gives any auth provider. Fix: make the command answer within ${DEFAULT_AUTH_TIMEOUT_MS / 1000} s (e.g. cache its token) and lower timeoutMs.`,
    );
  }
  const program = command.trim().split(/\s+/)[0]!;
  const name = `commandAuth (${program})`;
  // Each output replaces the last, one generation per call (kept while a request may still carry
  // it); cleared once no open client uses the provider.
  const secrets = new SecretRotation();
  return withProviderSecrets(secrets, async ({ signal, reason }) => {
    const stdout = await run(command, { timeoutMs, env: options.env, signal }, name, reason);
    const output = stdout.trim();
    let parsed: ReturnType<typeof parseOutput> | undefined;
    try {
      parsed = parseOutput(stdout, name, reason);
    } finally {
      // Registered whether or not it parsed: an output that is not a token may still be a secret.
      secrets.replace(parsed === undefined ? [output] : [output, parsed.token]);
    }
    return { headers: { Authorization: `${scheme} ${parsed.token}` }, expiresAtMs: parsed.expiresAtMs ?? Date.now() + refreshIntervalMs };
  });
}

interface RunOptions {
  timeoutMs: number;
  env: Readonly<Record<string, string | undefined>> | undefined;
  signal: AbortSignal;
}

function run(command: string, options: RunOptions, name: string, reason: AuthRefreshReason): Promise<string> {
  return new Promise((resolve, reject) => {
    exec(
      command,
      {
        timeout: options.timeoutMs,
        killSignal: "SIGKILL",
        maxBuffer: MAX_COMMAND_OUTPUT_BYTES,
        signal: options.signal,
        windowsHide: true,
        encoding: "utf8",
        ...(options.env ? { env: { ...options.env } as NodeJS.ProcessEnv } : {}),
      },
      (error, stdout) => {
        if (!error) return resolve(stdout);
        const failed = error as NodeJS.ErrnoException & { killed?: boolean; code?: number | string | null };
        // stdout and stderr may hold the token: neither is shown, nor kept as a cause.
        if (failed.killed || failed.code === "ABORT_ERR") {
          return reject(
            new AuthProviderError({
              provider: name,
              reason,
              detail: `the command did not finish within ${options.timeoutMs} ms and was killed`,
              fix: "check that it runs without a prompt; raise timeoutMs if it is only slow",
              retryable: true,
            }),
          );
        }
        if (failed.code === "ERR_CHILD_PROCESS_STDIO_MAXBUFFER") {
          return reject(
            new AuthProviderError({
              provider: name,
              reason,
              detail: `the command printed more than ${MAX_COMMAND_OUTPUT_BYTES} bytes`,
              fix: "make it print the token alone, or JSON with access_token",
            }),
          );
        }
        const code = typeof failed.code === "number" ? failed.code : undefined;
        const missing = code === 127 || code === 126;
        reject(
          new AuthProviderError({
            provider: name,
            reason,
            detail: `the command exited with ${code === undefined ? "an error" : `code ${code}`}${missing ? " (not found or not executable)" : ""}; its output is not shown, as it may hold secrets`,
            fix: missing ? "check the command's name and PATH" : "run the command yourself to see what it prints on stderr",
            retryable: !missing,
          }),
        );
      },
    );
  });
}

function parseOutput(stdout: string, name: string, reason: AuthRefreshReason): { token: string; expiresAtMs: number | undefined } {
  const text = stdout.trim();
  const noToken = (detail: string): AuthProviderError =>
    new AuthProviderError({
      provider: name,
      reason,
      detail,
      fix: 'make the command print the token alone, or JSON such as {"access_token": "…", "expires_in": 3600}',
    });
  if (!text.startsWith("{")) {
    if (text === "") throw noToken("the command printed nothing");
    if (/\s/.test(text)) throw noToken("the command printed more than one word and no JSON");
    return { token: text, expiresAtMs: undefined };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw noToken("the command printed something that starts like JSON but does not parse");
  }
  const parsed = jsonOutputSchema.safeParse(json);
  const data = parsed.success ? parsed.data : undefined;
  const token = data?.access_token ?? data?.token ?? data?.status?.token;
  if (!data || token === undefined) throw noToken("the JSON it printed has no access_token, token or status.token");
  return { token, expiresAtMs: expiryOf(data) };
}

function expiryOf(data: z.infer<typeof jsonOutputSchema>): number | undefined {
  if (data.expires_in !== undefined) return Date.now() + Number(data.expires_in) * 1000;
  const at = data.expires_at ?? data.status?.expirationTimestamp;
  if (at === undefined) return undefined;
  const ms = typeof at === "number" || /^\d+(\.\d+)?$/.test(at) ? Number(at) * 1000 : Date.parse(at);
  return Number.isFinite(ms) ? ms : undefined;
}
