/**
 * `mlflow-ts/auth`: ready-made auth providers for credentials that change while a job runs — a
 * token file that is replaced (Kubernetes projected tokens), a command that prints a token, and
 * OAuth2 client credentials. Each is an {@link AuthProvider} for the `auth` option of
 * `MlflowClient` (and `startRun({ client: { auth } })`); the client caches its answer until the
 * expiry it states, shares one call among concurrent requests, and refreshes once on a 401.
 *
 * @example
 * import { MlflowClient } from "mlflow-ts";
 * import { oauth2ClientCredentials } from "mlflow-ts/auth";
 *
 * const client = new MlflowClient({
 *   auth: oauth2ClientCredentials({
 *     tokenUrl: "https://login.example.com/oauth2/token",
 *     clientId: "training-jobs",
 *     clientSecret: process.env.OAUTH_CLIENT_SECRET ?? "",
 *     scope: "mlflow",
 *   }),
 * });
 *
 * @packageDocumentation
 * @module mlflow-ts/auth
 */
export { type CommandAuthOptions, commandAuth, DEFAULT_COMMAND_REFRESH_INTERVAL_MS } from "./core/http/auth/command.js";
export { DEFAULT_AUTH_TIMEOUT_MS, MAX_EXPIRY_SKEW_MS } from "./core/http/auth/credential-cache.js";
export { type OAuth2ClientCredentialsOptions, oauth2ClientCredentials } from "./core/http/auth/oauth2.js";
export { DEFAULT_TOKEN_FILE_RECHECK_MS, type TokenFileAuthOptions, tokenFileAuth } from "./core/http/auth/token-file.js";
export type { AuthCredentials, AuthProvider, AuthProviderContext, AuthRefreshReason } from "./core/http/auth/types.js";
