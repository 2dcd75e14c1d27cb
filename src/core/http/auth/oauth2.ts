/**
 * `oauth2ClientCredentials`: an access token from an OAuth2 token endpoint (RFC 6749 §4.4, the
 * client-credentials grant: Keycloak, Entra ID, Okta, Auth0, Dex…), cached until shortly before its
 * `expires_in`, fetched once for any number of concurrent requests, and fetched anew after a 401.
 * The client secret and every access token are registered as secrets before the first request.
 */
import axios from "axios";
import { z } from "zod";
import { AuthProviderError, ConfigurationError } from "../../errors.js";
import { registerBasicCredentials, registerSecret, SecretRotation } from "../../redact.js";
import { CredentialCache, DEFAULT_AUTH_TIMEOUT_MS } from "./credential-cache.js";
import { withProviderSecrets } from "./provider-secrets.js";
import type { AuthProvider, AuthRefreshReason } from "./types.js";

/** Options of {@link oauth2ClientCredentials}. */
export interface OAuth2ClientCredentialsOptions {
  /** The token endpoint, e.g. `https://keycloak.example.com/realms/ml/protocol/openid-connect/token`. */
  tokenUrl: string;
  /** The client id. */
  clientId: string;
  /** The client secret (registered for redaction at once). */
  clientSecret: string;
  /** Scopes to ask for: one space-separated string or a list. @defaultValue none (the server's default) */
  scope?: string | readonly string[] | undefined;
  /** `audience` parameter, for servers that want one (Auth0). @defaultValue none */
  audience?: string | undefined;
  /**
   * How the client authenticates to the token endpoint: HTTP Basic (`client_secret_basic`, what
   * RFC 6749 requires every server to accept) or in the form body (`client_secret_post`).
   * @defaultValue "client_secret_basic"
   */
  authMethod?: "client_secret_basic" | "client_secret_post" | undefined;
  /** Timeout of one token request, ms, up to 30 000 (the client's bound of any provider call). @defaultValue 30000 */
  timeoutMs?: number | undefined;
}

const optionsSchema = z.strictObject({
  tokenUrl: z.url({ protocol: /^https?$/, error: "expected the http(s) URL of the token endpoint" }),
  clientId: z.string().min(1, "expected a non-empty client id"),
  clientSecret: z.string().min(1, "expected a non-empty client secret"),
  scope: z.union([z.string(), z.array(z.string())]).optional(),
  audience: z.string().min(1).optional(),
  authMethod: z.enum(["client_secret_basic", "client_secret_post"]).optional(),
  timeoutMs: z
    .number()
    .positive()
    .max(DEFAULT_AUTH_TIMEOUT_MS, `expected at most ${DEFAULT_AUTH_TIMEOUT_MS} ms, the client's bound of any auth provider call`)
    .optional(),
});

const tokenResponseSchema = z.object({
  access_token: z.string().min(1),
  token_type: z.string().optional(),
  expires_in: z.union([z.number(), z.string().regex(/^\d+(\.\d+)?$/)]).optional(),
});

const errorResponseSchema = z.object({ error: z.string(), error_description: z.string().optional() });

interface Token {
  accessToken: string;
  expiresAtMs: number | undefined;
}

/**
 * An auth provider that sends `Authorization: Bearer <access token>` from an OAuth2 token endpoint
 * (client-credentials grant). The token is fetched before the first request, again a little before
 * `expires_in` runs out (a quarter of its lifetime, at most 30 s before), and again after a 401;
 * concurrent requests share one fetch. A network error, 429 or 5xx from the token endpoint is
 * retried with the request; `invalid_client` and other 4xx are not.
 *
 * @throws {ConfigurationError} at once for a missing or malformed option (naming it).
 * A call fails with an `AuthProviderError` naming the endpoint's `error` (never the secret or a token).
 * @example
 * import { MlflowClient } from "mlflow-ts";
 * import { oauth2ClientCredentials } from "mlflow-ts/auth";
 *
 * const client = new MlflowClient({
 *   auth: oauth2ClientCredentials({
 *     tokenUrl: "https://keycloak.example.com/realms/ml/protocol/openid-connect/token",
 *     clientId: "training-jobs",
 *     clientSecret: process.env.OAUTH_CLIENT_SECRET ?? "",
 *     scope: "mlflow",
 *   }),
 * });
 */
export function oauth2ClientCredentials(options: OAuth2ClientCredentialsOptions): AuthProvider {
  registerSecret((options as { clientSecret?: unknown } | undefined)?.clientSecret as string | undefined);
  const parsed = optionsSchema.safeParse(options);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const key = issue.code === "unrecognized_keys" ? (issue.keys[0] ?? "") : issue.path.map(String).join(".") || "(options)";
    const detail = issue.code === "unrecognized_keys" ? `unknown option (valid options: ${Object.keys(optionsSchema.shape).join(", ")})` : issue.message;
    throw new ConfigurationError(key, `oauth2ClientCredentials: invalid option "${key}": ${detail}. Fix: pass { tokenUrl, clientId, clientSecret, scope? }.`);
  }
  const opts = parsed.data;
  registerBasicCredentials(encodeURIComponent(opts.clientId), encodeURIComponent(opts.clientSecret));
  const name = `oauth2ClientCredentials (${new URL(opts.tokenUrl).host})`;
  const timeoutMs = opts.timeoutMs ?? DEFAULT_AUTH_TIMEOUT_MS;
  // Access tokens rotate: each one replaces the last (kept while a request may still carry it);
  // cleared once no open client uses the provider.
  const secrets = new SecretRotation();
  const cache = new CredentialCache<Token>(
    name,
    async (reason, signal) => {
      const token = await fetchToken(opts, { name, reason, signal, timeoutMs, secrets });
      return { value: token, expiresAtMs: token.expiresAtMs };
    },
    timeoutMs,
  );
  return withProviderSecrets(secrets, async ({ signal, reason }) => {
    // After a 401 the cached token is the refused one, however fresh its expiry says it is.
    const token = reason === "unauthorized" ? await cache.refresh(signal, cache.last()) : (cache.fresh() ?? (await cache.refresh(signal)));
    return { headers: { Authorization: `Bearer ${token.accessToken}` }, expiresAtMs: token.expiresAtMs };
  });
}

interface FetchContext {
  name: string;
  reason: AuthRefreshReason;
  signal: AbortSignal;
  timeoutMs: number;
  /** Where the access tokens the endpoint returns are registered. */
  secrets: SecretRotation;
}

async function fetchToken(opts: z.infer<typeof optionsSchema>, context: FetchContext): Promise<Token> {
  const form = new URLSearchParams({ grant_type: "client_credentials" });
  const scope = Array.isArray(opts.scope) ? opts.scope.join(" ") : opts.scope;
  if (scope) form.set("scope", scope);
  if (opts.audience) form.set("audience", opts.audience);
  const headers: Record<string, string> = { "Content-Type": "application/x-www-form-urlencoded", Accept: "application/json" };
  if (opts.authMethod === "client_secret_post") {
    form.set("client_id", opts.clientId);
    form.set("client_secret", opts.clientSecret);
  } else {
    // RFC 6749 §2.3.1: id and secret are form-encoded before they are joined.
    const basic = `${encodeURIComponent(opts.clientId)}:${encodeURIComponent(opts.clientSecret)}`;
    headers.Authorization = `Basic ${Buffer.from(basic).toString("base64")}`;
  }
  const startedAtMs = Date.now();
  const fail = (detail: string, fix: string, retryable: boolean): AuthProviderError =>
    new AuthProviderError({ provider: context.name, reason: context.reason, detail, fix, retryable });
  let status: number;
  let body: string;
  try {
    const res = await axios.post<string>(opts.tokenUrl, form.toString(), {
      headers,
      timeout: context.timeoutMs,
      signal: context.signal,
      responseType: "text",
      transformResponse: [(data: unknown) => data],
      validateStatus: () => true,
      maxRedirects: 0,
    });
    status = res.status;
    body = typeof res.data === "string" ? res.data : String(res.data);
  } catch (error) {
    // The axios error holds the request's headers (the client secret): only its code leaves here.
    const code = (error as { code?: unknown }).code;
    throw fail(
      `the token endpoint could not be reached (${typeof code === "string" ? code : "network error"})`,
      "check the tokenUrl and the network to it",
      true,
    );
  }
  const json = parseJson(body);
  const accessToken = (json as { access_token?: unknown } | undefined)?.access_token;
  if (typeof accessToken === "string") context.secrets.replace([accessToken]);
  if (status < 200 || status >= 300) {
    const error = errorResponseSchema.safeParse(json);
    const what = error.success
      ? `${error.data.error}${error.data.error_description ? `: ${error.data.error_description}` : ""}`
      : "no OAuth2 error in the body";
    const retryable = status === 429 || status >= 500;
    const fix =
      status === 401 || error.data?.error === "invalid_client"
        ? "check clientId and clientSecret (and authMethod)"
        : retryable
          ? "wait for the token endpoint to recover"
          : "check tokenUrl, scope and audience";
    throw fail(`the token endpoint answered HTTP ${status} (${what})`, fix, retryable);
  }
  const token = tokenResponseSchema.safeParse(json);
  if (!token.success)
    throw fail("the token endpoint answered 2xx without an access_token", "check that tokenUrl is the token endpoint (not the authorization endpoint)", false);
  const expiresIn = token.data.expires_in === undefined ? undefined : Number(token.data.expires_in);
  return { accessToken: token.data.access_token, expiresAtMs: expiresIn === undefined ? undefined : startedAtMs + expiresIn * 1000 };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
