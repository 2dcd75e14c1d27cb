/**
 * The secrets a ready-made auth provider registers itself (a command's whole output, a token file's
 * content, an OAuth2 access token) live as long as a client uses the provider: each client's auth
 * session attaches to the provider when it is built and releases it when the client closes, and the
 * provider's {@link SecretRotation} is cleared once no open client uses it. A provider shared by two
 * clients keeps its secrets masked until both are closed.
 */
import type { SecretRotation } from "../../redact.js";
import type { AuthProvider } from "./types.js";

interface Holder {
  rotation: SecretRotation;
  /** Open clients whose auth session uses the provider. */
  users: number;
}

const holders = new WeakMap<AuthProvider, Holder>();

/**
 * Gives `provider` the rotation it registers its secrets in, cleared when the last client that
 * uses it closes ({@link releaseProviderSecrets}).
 * @returns `provider` itself.
 * @example
 * const secrets = new SecretRotation();
 * return withProviderSecrets(secrets, async () => { secrets.replace([token]); return { headers } });
 * @internal
 */
export function withProviderSecrets(rotation: SecretRotation, provider: AuthProvider): AuthProvider {
  holders.set(provider, { rotation, users: 0 });
  return provider;
}

/**
 * A client's auth session starts using `provider` (nothing for a provider without a rotation).
 * @internal
 */
export function attachProviderSecrets(provider: AuthProvider): void {
  const holder = holders.get(provider);
  if (holder !== undefined) holder.users++;
}

/**
 * A client's auth session is done with `provider`: once no open client uses it, its rotation is
 * cleared (its secrets are no longer masked; a later call registers them again).
 * @internal
 */
export function releaseProviderSecrets(provider: AuthProvider): void {
  const holder = holders.get(provider);
  if (holder === undefined || holder.users === 0) return;
  holder.users--;
  if (holder.users === 0) holder.rotation.clear();
}

/**
 * Generations the provider's rotation holds now (the current one included), for tests.
 * @internal
 */
export function providerSecretGenerations(provider: AuthProvider): number {
  return holders.get(provider)?.rotation.size ?? 0;
}
