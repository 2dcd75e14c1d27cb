/**
 * Secret redaction: every message, URL and header that can reach a log line or an error passes
 * through here first.
 *
 * Two mechanisms work together: known secret values (passwords, tokens, AWS secret keys) are
 * registered when the configuration is resolved and replaced wherever they appear, in every form
 * they travel in (plain, URL-encoded or -decoded, base64 as in a Basic header), and patterns catch
 * secrets we were never told about (URI userinfo, `Authorization` headers, presigned-URL
 * signatures). Text is always redacted whole before it is cut to an excerpt ({@link excerpt}), so a
 * secret straddling the cut cannot survive as a prefix.
 *
 * Secrets from configuration stay registered for the life of the process; secrets that rotate (an
 * auth provider's headers) are registered through a {@link SecretRotation}, which forgets a
 * replaced value once no request can still carry it, so the set stays bounded however long the
 * process runs.
 */

const MASK = "***";
const MIN_SECRET_LENGTH = 4;
/**
 * A base64 run shorter than this is not masked on its own: a secret of 4–8 bytes embedded at an
 * odd offset of a longer base64 text leaves only a few characters that depend on it alone, too few
 * to tell from ordinary text.
 */
const MIN_BASE64_CORE_LENGTH = 8;
/**
 * How long a rotated secret stays registered after its replacement: 15 min, longer than the
 * default whole-call deadline (10 min), so a request that started with it is still masked if it
 * fails with the old value in its error.
 */
export const ROTATED_SECRET_RETENTION_MS = 15 * 60_000;
/** At most this many replaced generations are kept per rotation, however fast it rotates. */
export const MAX_ROTATED_GENERATIONS = 64;

/** Registered forms, longest first, so that a longer form is masked before a shorter one inside it. */
let knownSecrets: string[] = [];
/** Base64 runs that encode a registered secret inside a longer base64 text (see {@link base64Cores}). */
const base64CorePatterns = new Map<string, RegExp>();
/** Forms and base64 cores of the secrets registered for the life of the process. */
const pinned = { forms: new Set<string>(), cores: new Set<string>() };
/** The generations of every rotation (oldest first), registered too. */
const rotations = new Map<SecretRotation, SecretGeneration[]>();

/** The forms and base64 cores of some secret values. */
interface SecretGeneration {
  key: string;
  forms: string[];
  cores: string[];
  /** When the next generation replaced it (Date.now()); undefined while current. */
  retiredAtMs: number | undefined;
}

const USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^/\s@?#]*@/gi;
const AUTH_HEADER = /\b((?:proxy-)?authorization["']?\s*[:=]\s*["']?)(?:basic|bearer|token|aws4-hmac-sha256)?\s*[^\s"',}]+/gi;
const SIGNED_QUERY = /\b(x-amz-signature|x-amz-credential|x-amz-security-token|signature|awsaccesskeyid|sig|token|access_token|password)=[^&\s"']+/gi;

/**
 * Registers a secret value so that {@link redact} masks it wherever it appears, in the forms it
 * travels in: as given and URL-decoded; URL-encoded (upper- and lower-case hex, form encoding with
 * `+` for spaces, RFC 3986 strict); base64 and base64url, with and without padding; and, for
 * values of about 8 bytes or more, the base64 of the value embedded at any offset of a longer text
 * (a `Basic` token of a user name we were not told about).
 *
 * @param value - The secret; values shorter than 4 characters are ignored (they would mask
 *   ordinary text).
 * @example
 * registerSecret(process.env.MY_TOKEN);
 * @internal
 */
export function registerSecret(value: string | undefined): void {
  const generation = generationOf([value]);
  const before = pinned.forms.size + pinned.cores.size;
  for (const form of generation.forms) pinned.forms.add(form);
  for (const core of generation.cores) pinned.cores.add(core);
  if (pinned.forms.size + pinned.cores.size !== before) rebuild();
}

/**
 * The secrets of one source that replaces them over time (an auth provider's headers): each
 * {@link SecretRotation.replace} registers the new values and retires the previous ones, which
 * stay masked for {@link ROTATED_SECRET_RETENTION_MS} (a request still in flight may fail with
 * them in its error) and are then forgotten. At most {@link MAX_ROTATED_GENERATIONS} retired
 * generations are kept, so the registered set is bounded for any rotation rate and run length.
 * Values also registered with {@link registerSecret} stay masked regardless.
 *
 * @example
 * const rotation = new SecretRotation();
 * rotation.replace(secretHeaderValues({ Authorization: `Bearer ${token}` }));
 * @internal
 */
export class SecretRotation {
  /** Oldest first; the last one is current. The same array is in `rotations` while not empty. */
  readonly #generations: SecretGeneration[] = [];

  /**
   * Registers `values` as the current secrets and retires the previous ones. Values shorter than
   * 4 characters are ignored; the same values as the current ones change nothing.
   */
  replace(values: readonly (string | undefined)[]): void {
    const generation = generationOf(values);
    const now = Date.now();
    const current = this.#generations.at(-1);
    if (current?.key === generation.key) return;
    if (current) current.retiredAtMs = now;
    this.#generations.push(generation);
    const retired = this.#generations.length - 1;
    let drop = Math.max(0, retired - MAX_ROTATED_GENERATIONS);
    while (drop < retired && now - this.#generations[drop]!.retiredAtMs! > ROTATED_SECRET_RETENTION_MS) drop++;
    if (drop > 0) this.#generations.splice(0, drop);
    rotations.set(this, this.#generations);
    rebuild();
  }

  /** Generations registered (the current one included), for tests and diagnostics. */
  get size(): number {
    return this.#generations.length;
  }

  /** Forgets every generation of this rotation (its client is closed). */
  clear(): void {
    this.#generations.length = 0;
    rotations.delete(this);
    rebuild();
  }
}

/**
 * How many forms and base64 patterns {@link redact} checks now (the registered set's size).
 * @example
 * registeredSecretCount(); // 42
 * @internal
 */
export function registeredSecretCount(): number {
  return knownSecrets.length + base64CorePatterns.size;
}

function generationOf(values: readonly (string | undefined)[]): SecretGeneration {
  const forms = new Set<string>();
  const cores = new Set<string>();
  const kept: string[] = [];
  for (const value of values) {
    if (!value || value.length < MIN_SECRET_LENGTH) continue;
    kept.push(value);
    for (const form of secretForms(value)) if (form.length >= MIN_SECRET_LENGTH) forms.add(form);
    for (const core of base64Cores(value)) cores.add(core);
  }
  return { key: kept.join("\0"), forms: [...forms], cores: [...cores], retiredAtMs: undefined };
}

/** Recomputes the masked forms and patterns from the pinned secrets and the rotations' generations. */
function rebuild(): void {
  const forms = new Set(pinned.forms);
  const cores = new Set(pinned.cores);
  for (const generations of rotations.values()) {
    for (const generation of generations) {
      for (const form of generation.forms) forms.add(form);
      for (const core of generation.cores) cores.add(core);
    }
  }
  knownSecrets = [...forms].sort((a, b) => b.length - a.length);
  for (const core of base64CorePatterns.keys()) if (!cores.has(core)) base64CorePatterns.delete(core);
  for (const core of cores) if (!base64CorePatterns.has(core)) base64CorePatterns.set(core, base64CorePattern(core));
}

/**
 * Registers the Basic credentials `user:password` in every form they travel in, including the
 * `Authorization: Basic` token.
 * @internal
 */
export function registerBasicCredentials(username: string, password: string): void {
  registerSecret(password);
  if (password) registerSecret(`${username}:${password}`);
}

const SECRET_HEADER = /authorization|cookie|token|secret|password|api[-_]?key|credential/i;

/**
 * Registers the values of headers that carry credentials (`Authorization`, `Cookie`, `X-Api-Key`,
 * anything named like a token, secret or password), so that extra headers given as options are
 * masked like the configured credentials. A `Basic` value is decoded and its password registered
 * too, so the server echoing the decoded `user:password` is masked as well.
 * @internal
 */
export function registerSecretHeaders(headers: Readonly<Record<string, string>> | undefined): void {
  for (const value of secretHeaderValues(headers)) registerSecret(value);
}

/**
 * The secret values carried by headers, as {@link registerSecretHeaders} registers them: the
 * value of every credential-like header, its token after the scheme, and for `Basic` the decoded
 * password and `user:password`.
 *
 * @example
 * secretHeaderValues({ Authorization: "Bearer abc123" }); // ["Bearer abc123", "abc123"]
 * @internal
 */
export function secretHeaderValues(headers: Readonly<Record<string, string>> | undefined): string[] {
  const values: string[] = [];
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (!SECRET_HEADER.test(name) || typeof value !== "string") continue;
    values.push(value);
    const [, scheme, token] = /^(\S+)\s+(\S+)$/.exec(value.trim()) ?? [];
    if (token === undefined) continue;
    values.push(token);
    if (scheme?.toLowerCase() !== "basic") continue;
    const decoded = Buffer.from(token, "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    if (colon > 0 && colon < decoded.length - 1) values.push(decoded.slice(colon + 1), decoded);
  }
  return values;
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
  let out = text.replace(USERINFO, `$1${MASK}@`).replace(AUTH_HEADER, `$1${MASK}`).replace(SIGNED_QUERY, `$1=${MASK}`);
  for (const secret of knownSecrets) {
    if (out.includes(secret)) out = out.split(secret).join(MASK);
  }
  for (const [core, pattern] of base64CorePatterns) {
    if (out.includes(core)) out = out.replace(pattern, MASK);
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

/**
 * Redacts `text` whole, then cuts it to at most `maxChars` characters (plus `…` when cut). The
 * order matters: cutting first could leave the start of a secret that the redactor no longer
 * recognises (`http://u:canary-pw…`).
 *
 * @example
 * excerpt("token=abc123 " + "x".repeat(500), 20) // "token=*** xxxxxxxxxx…"
 * @internal
 */
export function excerpt(text: string, maxChars: number): string {
  const safe = redact(text);
  return safe.length > maxChars ? `${safe.slice(0, maxChars)}…` : safe;
}

/** The forms of `value` that may appear in a text: plain, URL-decoded, URL-encoded, base64. */
function secretForms(value: string): string[] {
  const plain = [value, urlDecoded(value)].filter((form): form is string => form !== undefined);
  const forms = new Set<string>(plain);
  for (const form of plain) {
    const encoded = encodeURIComponent(form);
    forms.add(encoded);
    forms.add(encoded.replace(/%[0-9A-F]{2}/g, (hex) => hex.toLowerCase()));
    forms.add(encoded.replace(/[!'()*]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`));
    forms.add(new URLSearchParams({ s: form }).toString().slice(2));
    const base64 = Buffer.from(form).toString("base64");
    const unpadded = base64.replace(/=+$/, "");
    for (const b64 of [base64, unpadded, Buffer.from(form).toString("base64url")]) {
      forms.add(b64);
      forms.add(encodeURIComponent(b64));
    }
  }
  return [...forms];
}

function urlDecoded(value: string): string | undefined {
  if (!/%[0-9a-f]{2}/i.test(value)) return undefined;
  try {
    return decodeURIComponent(value.replace(/\+/g, " "));
  } catch {
    return undefined;
  }
}

/**
 * The base64 characters that encode `value` alone when it sits at any byte offset (mod 3) of a
 * longer text, e.g. the password in `Basic base64(anyuser:password)`: the 4-character groups that
 * hold only bytes of `value`.
 */
function base64Cores(value: string): string[] {
  const bytes = Buffer.from(value);
  const cores: string[] = [];
  for (const offset of [0, 1, 2]) {
    const encoded = Buffer.concat([Buffer.alloc(offset), bytes]).toString("base64");
    const fullGroups = Math.floor((offset + bytes.length) / 3);
    const core = encoded.slice(offset === 0 ? 0 : 4, fullGroups * 4);
    if (core.length >= MIN_BASE64_CORE_LENGTH) cores.push(core, core.replace(/\+/g, "-").replace(/\//g, "_"));
  }
  return cores;
}

/** Matches a core with the partial groups around it (up to 4 base64 characters each side, padding). */
function base64CorePattern(core: string): RegExp {
  const escaped = core.replace(/[+/]/g, (char) => `\\${char}`);
  return new RegExp(`[A-Za-z0-9+/_-]{0,4}${escaped}[A-Za-z0-9+/_-]{0,4}={0,2}`, "g");
}
