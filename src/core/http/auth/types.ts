/**
 * The shape of an auth provider: credentials that change while a client lives (tokens that expire,
 * a Kubernetes projected token that is swapped, an OAuth2 access token). Types only, so that the
 * configuration, the transport and the ready-made providers agree on one contract.
 */

/** Why the provider is called: the first request, a cached answer that expired, or a 401. */
export type AuthRefreshReason = "initial" | "expired" | "unauthorized";

/** What an {@link AuthProvider} is called with. */
export interface AuthProviderContext {
  /**
   * Aborts when the call takes longer than the provider timeout (30 s by default) or the client is
   * done with it; pass it to any request or child process the provider starts.
   */
  signal: AbortSignal;
  /**
   * `initial` for the first call, `expired` when the last answer's `expiresAtMs` (minus a skew)
   * passed, `unauthorized` when the server answered 401 to the last answer's headers: a provider
   * with a cache of its own must then fetch fresh credentials.
   */
  reason: AuthRefreshReason;
}

/** What an {@link AuthProvider} answers. */
export interface AuthCredentials {
  /** Headers added to every request to the tracking server, e.g. `{ Authorization: "Bearer …" }`. */
  headers: Readonly<Record<string, string>>;
  /**
   * When these headers stop being valid, in ms since the epoch (`Date.now()` scale). The client
   * calls the provider again a little before (a quarter of the lifetime, at most 30 s before).
   * Absent: the headers are used until the server answers 401.
   */
  expiresAtMs?: number | undefined;
}

/**
 * Credentials that change: an async function returning the headers of the tracking server's
 * requests. The client calls it for the first request, again when the answer's `expiresAtMs` is
 * near, and once on a 401 (then replays the refused request once). Concurrent requests share one
 * call. A call is bounded by a timeout (30 s); an error it throws fails the request with an
 * `AuthProviderError` (retried when the error has `retryable: true`). The headers' values are
 * registered as secrets: no error or log line shows them.
 *
 * @example
 * const auth: AuthProvider = async ({ signal }) => {
 *   const { token, expiresAtMs } = await myVault.issue({ signal });
 *   return { headers: { Authorization: `Bearer ${token}` }, expiresAtMs };
 * };
 * const client = new MlflowClient({ auth });
 */
export type AuthProvider = (context: AuthProviderContext) => Promise<AuthCredentials>;
