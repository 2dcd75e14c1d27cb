/**
 * The transport's side of an auth provider: the provider's answers checked (headers of strings, a
 * finite expiry), their values registered as secrets before any request carries them (one
 * {@link SecretRotation} per session: replaced values are forgotten once no request can still
 * carry them), and cached by {@link CredentialCache} (expiry minus skew, single flight, timeout,
 * one refresh per 401). Closing the session (the client closes) forgets them.
 */
import { z } from "zod";
import { AuthProviderError } from "../../errors.js";
import { SecretRotation, secretHeaderValues } from "../../redact.js";
import { CredentialCache, DEFAULT_AUTH_TIMEOUT_MS, type Expiring } from "./credential-cache.js";
import { attachProviderSecrets, releaseProviderSecrets } from "./provider-secrets.js";
import type { AuthProvider, AuthRefreshReason } from "./types.js";

/** The headers an auth provider gave, as the transport adds them. */
export type AuthHeaders = Readonly<Record<string, string>>;

const answerSchema = z.object({
  headers: z.record(z.string(), z.string()),
  expiresAtMs: z.number().finite().optional(),
});

/**
 * One client's cache of its auth provider's headers.
 *
 * @example
 * const session = new AuthSession(provider, "auth option");
 * const headers = session.fresh() ?? (await session.refresh(signal));
 * @internal
 */
export class AuthSession {
  readonly #cache: CredentialCache<AuthHeaders>;
  readonly #secrets = new SecretRotation();
  readonly #provider: AuthProvider;
  #closed = false;

  /**
   * @param provider - The provider.
   * @param name - How errors name it, e.g. `auth option`, `MLFLOW_TS_TRACKING_TOKEN_COMMAND`.
   * @param timeoutMs - Bound of one provider call, ms. @defaultValue 30000
   */
  constructor(provider: AuthProvider, name: string, timeoutMs = DEFAULT_AUTH_TIMEOUT_MS) {
    this.#provider = provider;
    attachProviderSecrets(provider);
    this.#cache = new CredentialCache<AuthHeaders>(name, (reason, signal) => callProvider(provider, name, reason, signal, this.#secrets), timeoutMs);
  }

  /** The cached headers while they are fresh, else `undefined`. Allocates nothing. */
  fresh(): AuthHeaders | undefined {
    return this.#cache.fresh();
  }

  /**
   * Fresh headers: one provider call shared by concurrent callers.
   * @param refused - The headers a 401 answered: they are replaced once, whoever asks.
   * @throws {AuthProviderError} when the provider throws, answers something else or times out.
   */
  refresh(signal?: AbortSignal, refused?: AuthHeaders): Promise<AuthHeaders> {
    return this.#cache.refresh(signal, refused);
  }

  /**
   * The client is closed: forgets the headers' secrets this session registered, and releases the
   * provider's own (cleared once no open client uses the provider). Idempotent.
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#secrets.clear();
    releaseProviderSecrets(this.#provider);
  }
}

async function callProvider(
  provider: AuthProvider,
  name: string,
  reason: AuthRefreshReason,
  signal: AbortSignal,
  secrets: SecretRotation,
): Promise<Expiring<AuthHeaders>> {
  const answer: unknown = await provider({ signal, reason });
  const parsed = answerSchema.safeParse(answer);
  if (!parsed.success) {
    throw new AuthProviderError({
      provider: name,
      reason,
      detail: `it answered something other than { headers: Record<string, string>, expiresAtMs?: number } (${parsed.error.issues[0]?.path.join(".") || "answer"}: ${parsed.error.issues[0]?.message})`,
      fix: 'resolve to e.g. { headers: { Authorization: "Bearer <token>" }, expiresAtMs: Date.now() + 3_600_000 }',
    });
  }
  const headers = Object.freeze({ ...parsed.data.headers });
  // Every header a provider gives is a credential, whatever its name.
  secrets.replace(secretHeaderValues(Object.fromEntries(Object.entries(headers).map(([key, value]) => [`authorization-${key}`, value]))));
  return { value: headers, expiresAtMs: parsed.data.expiresAtMs };
}
