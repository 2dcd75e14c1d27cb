/**
 * Secret redaction: every message, URL and header that can reach a log line or an error passes
 * through here first.
 *
 * Two mechanisms work together: known secret values (passwords, tokens, AWS secret keys) are
 * registered when the configuration is resolved and replaced wherever they appear, and patterns
 * catch secrets we were never told about (URI userinfo, `Authorization` headers, presigned-URL
 * signatures).
 */

const MASK = "***";
const MIN_SECRET_LENGTH = 4;
const knownSecrets = new Set<string>();

const USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^/\s@?#]*@/gi;
const AUTH_HEADER = /\b((?:proxy-)?authorization["']?\s*[:=]\s*["']?)(?:basic|bearer|token|aws4-hmac-sha256)?\s*[^\s"',}]+/gi;
const SIGNED_QUERY =
  /\b(x-amz-signature|x-amz-credential|x-amz-security-token|signature|awsaccesskeyid|sig|token|access_token|password)=[^&\s"']+/gi;

/**
 * Registers a secret value so that {@link redact} masks it wherever it appears, including its
 * URL-encoded and base64 forms.
 *
 * @param value - The secret; values shorter than 4 characters are ignored (they would mask
 *   ordinary text).
 * @internal
 */
export function registerSecret(value: string | undefined): void {
  if (!value || value.length < MIN_SECRET_LENGTH) return;
  knownSecrets.add(value);
  knownSecrets.add(encodeURIComponent(value));
  knownSecrets.add(Buffer.from(value).toString("base64"));
}

/**
 * Registers the Basic credentials `user:password` in every form they travel in.
 * @internal
 */
export function registerBasicCredentials(username: string, password: string): void {
  registerSecret(password);
  registerSecret(Buffer.from(`${username}:${password}`).toString("base64"));
}

const SECRET_HEADER = /authorization|cookie|token|secret|password|api[-_]?key|credential/i;

/**
 * Registers the values of headers that carry credentials (`Authorization`, `Cookie`, `X-Api-Key`,
 * anything named like a token, secret or password), so that extra headers given as options are
 * masked like the configured credentials.
 * @internal
 */
export function registerSecretHeaders(headers: Readonly<Record<string, string>> | undefined): void {
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (!SECRET_HEADER.test(name) || typeof value !== "string") continue;
    registerSecret(value);
    registerSecret(/^\S+\s+(\S+)$/.exec(value.trim())?.[1]);
  }
}

/**
 * Returns `text` with every registered secret, URI userinfo, `Authorization` header value and
 * presigned-URL signature replaced by `***`.
 *
 * @example
 * redact("GET http://bob:hunter22@host/x") // "GET http://***@host/x"
 * @internal
 */
export function redact(text: string): string {
  let out = text
    .replace(USERINFO, `$1${MASK}@`)
    .replace(AUTH_HEADER, `$1${MASK}`)
    .replace(SIGNED_QUERY, `$1=${MASK}`);
  for (const secret of knownSecrets) {
    if (out.includes(secret)) out = out.split(secret).join(MASK);
  }
  return out;
}

/**
 * Returns a URL safe to print: no userinfo and no signature query parameters.
 * @internal
 */
export function redactUrl(url: string): string {
  return redact(url);
}
