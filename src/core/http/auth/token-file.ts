/**
 * `tokenFileAuth`: a bearer token read from a file that is replaced while the process runs — a
 * Kubernetes projected service-account token (the kubelet swaps a `..data` symlink to a new
 * directory), a token a sidecar writes, a Vault agent sink. The file is read again every
 * `recheckMs` and after a 401; reading through the path follows the symlinks, so a swap is seen.
 */
import { readFile } from "node:fs/promises";
import { AuthProviderError, ConfigurationError } from "../../errors.js";
import { SecretRotation } from "../../redact.js";
import { withProviderSecrets } from "./provider-secrets.js";
import type { AuthProvider } from "./types.js";

/** How often a token file is read again, ms: 10 s. */
export const DEFAULT_TOKEN_FILE_RECHECK_MS = 10_000;
/** Largest token file read, bytes: 64 KiB (a JWT is a few KiB). */
export const MAX_TOKEN_FILE_BYTES = 64 * 1024;

/** Options of {@link tokenFileAuth}. */
export interface TokenFileAuthOptions {
  /** How often the file is read again for a new token, ms (it is also read after a 401). @defaultValue 10000 */
  recheckMs?: number | undefined;
  /** The scheme before the token in the `Authorization` header. @defaultValue "Bearer" */
  scheme?: string | undefined;
}

/**
 * An auth provider that sends `Authorization: Bearer <the file's content, trimmed>`, reading the
 * file again every `recheckMs` (10 s) and after a 401, so a rotated token (a Kubernetes projected
 * token, whose symlinks the kubelet swaps) is picked up without a restart.
 *
 * @param path - The token file, e.g. `/var/run/secrets/tokens/mlflow-token`.
 * @throws {ConfigurationError} at once when `path` is empty or `recheckMs` is not a positive number.
 * A call fails with an `AuthProviderError` when the file is missing, unreadable, empty or over 64 KiB.
 * @example
 * import { MlflowClient } from "mlflow-ts";
 * import { tokenFileAuth } from "mlflow-ts/auth";
 *
 * const client = new MlflowClient({ auth: tokenFileAuth("/var/run/secrets/tokens/mlflow-token") });
 */
export function tokenFileAuth(path: string, options: TokenFileAuthOptions = {}): AuthProvider {
  const recheckMs = options.recheckMs ?? DEFAULT_TOKEN_FILE_RECHECK_MS;
  const scheme = options.scheme ?? "Bearer";
  if (typeof path !== "string" || path.trim() === "") {
    throw new ConfigurationError(
      "tokenFileAuth(path)",
      'tokenFileAuth needs the path of the token file. Fix: e.g. tokenFileAuth("/var/run/secrets/tokens/mlflow-token").',
    );
  }
  if (!(Number.isFinite(recheckMs) && recheckMs > 0)) {
    throw new ConfigurationError(
      "recheckMs",
      `tokenFileAuth's recheckMs must be a positive number of ms, got ${String(recheckMs)}. Fix: e.g. { recheckMs: 10_000 }.`,
    );
  }
  const name = `tokenFileAuth (${path})`;
  // Each token read replaces the last (kept while a request may still carry it); cleared once no
  // open client uses the provider.
  const secrets = new SecretRotation();
  return withProviderSecrets(secrets, async ({ signal, reason }) => {
    let content: Buffer;
    try {
      content = await readFile(path, { signal });
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      throw new AuthProviderError({
        provider: name,
        reason,
        detail: typeof code === "string" ? `the file could not be read (${code})` : "the file could not be read",
        fix: code === "ENOENT" ? "check the path and that the volume holding the token is mounted" : "check the file's permissions",
        retryable: code !== "ENOENT" && code !== "EACCES" && code !== "EISDIR",
      });
    }
    if (content.length > MAX_TOKEN_FILE_BYTES) {
      throw new AuthProviderError({
        provider: name,
        reason,
        detail: `the file holds ${content.length} bytes, more than a token (at most ${MAX_TOKEN_FILE_BYTES})`,
        fix: "point the path at the token file itself",
      });
    }
    const token = content.toString("utf8").trim();
    secrets.replace([token]);
    if (token === "" || /\s/.test(token)) {
      throw new AuthProviderError({
        provider: name,
        reason,
        detail: token === "" ? "the file is empty" : "the file holds more than one word",
        fix: "the file must hold the token alone (surrounding whitespace is trimmed)",
        retryable: token === "",
      });
    }
    return { headers: { Authorization: `${scheme} ${token}` }, expiresAtMs: Date.now() + recheckMs };
  });
}
