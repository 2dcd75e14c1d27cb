/**
 * Page tokens as MLflow's stores make and read them (`SearchUtils.create_page_token`,
 * `parse_start_offset_from_page_token`): base64 of the JSON `{"offset": N}` (Python's
 * `json.dumps` spacing), so a token from the embedded store means the same to an MLflow server
 * reading the same database. Reading follows Python step by step — lenient base64 (characters
 * outside the alphabet are skipped), Python's JSON (`NaN`, big integers), `int()` of the offset
 * (`"7"`, `2.9` and `true` are offsets) — and fails with the error code MLflow's store reports.
 */
import { StoreException } from "../engine/errors.js";
import { asciiDigits, pythonStrip } from "./python-text.js";

/**
 * The token of the page that starts at `offset`.
 * @example
 * encodePageToken(1000) // "eyJvZmZzZXQiOiAxMDAwfQ=="
 * @internal
 */
export function encodePageToken(offset: number | bigint): string {
  return Buffer.from(`{"offset": ${offset}}`, "utf8").toString("base64");
}

/** Largest offset SQLite binds (a signed 64-bit integer). */
const MAX_SQLITE_INTEGER = 2n ** 63n - 1n;

/**
 * The offset a token points at; 0 for no token. A negative offset is returned as it is (SQLite
 * treats it as 0, as it does for MLflow); one beyond `Number.MAX_SAFE_INTEGER` as a bigint, so the
 * next token counts on from it exactly as Python's integers do.
 * @throws {StoreException} `INVALID_PARAMETER_VALUE` where MLflow raises it (not base64, not JSON,
 *   no offset, an offset `int()` refuses); `INTERNAL_ERROR` where MLflow fails with a Python
 *   exception its parser does not catch (a non-ASCII token, JSON that is not an object, an offset
 *   that is a list, an infinite offset, one beyond SQLite's integers).
 * @example
 * decodePageToken("eyJvZmZzZXQiOiAxMDAwfQ==") // 1000
 * @internal
 */
export function decodePageToken(token: string | undefined): number | bigint {
  if (!token) return 0;
  // A non-ASCII str makes base64.b64decode raise ValueError, which MLflow does not catch.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the ASCII range starts at U+0000 on purpose
  if (/[^\x00-\x7f]/.test(token)) throw internal("Invalid page token: string argument should contain only ASCII characters");
  const bytes = pythonBase64Decode(token);
  if (bytes === undefined) throw invalid("Invalid page token, could not base64-decode");
  const text = decodeJsonBytes(bytes);
  const parsed = text === undefined ? undefined : parsePythonJson(text);
  if (parsed === undefined) throw invalid(`Invalid page token, decoded value=${bytes.toString("latin1")}`);
  if (parsed.value === null || typeof parsed.value !== "object" || Array.isArray(parsed.value) || parsed.value instanceof PyFloat) {
    throw internal("Invalid page token: the decoded JSON is not an object");
  }
  const offset = (parsed.value as Record<string, PyJson>).offset;
  if (isFalsy(offset)) throw invalid(`Invalid page token, parsed value=${text}`);
  const value = pythonInt(offset!);
  if (value > MAX_SQLITE_INTEGER || value < -MAX_SQLITE_INTEGER - 1n) throw internal("Invalid page token: Python int too large to convert to SQLite INTEGER");
  return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
}

function invalid(message: string): StoreException {
  return new StoreException("INVALID_PARAMETER_VALUE", message);
}

function internal(message: string): StoreException {
  return new StoreException("INTERNAL_ERROR", message);
}

const BASE64_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/** `binascii.a2b_base64(text, strict_mode=False)`; `undefined` where it raises `binascii.Error`. */
function pythonBase64Decode(text: string): Buffer | undefined {
  const out: number[] = [];
  let quadPos = 0;
  let leftChar = 0;
  let pads = 0;
  for (const char of text) {
    if (char === "=") {
      if (quadPos >= 2 && quadPos + ++pads >= 4) return Buffer.from(out);
      continue;
    }
    const value = BASE64_ALPHABET.indexOf(char);
    if (value < 0) continue;
    pads = 0;
    if (quadPos === 0) {
      leftChar = value;
      quadPos = 1;
    } else if (quadPos === 1) {
      out.push(((leftChar << 2) | (value >> 4)) & 0xff);
      leftChar = value & 0x0f;
      quadPos = 2;
    } else if (quadPos === 2) {
      out.push(((leftChar << 4) | (value >> 2)) & 0xff);
      leftChar = value & 0x03;
      quadPos = 3;
    } else {
      out.push(((leftChar << 6) | value) & 0xff);
      leftChar = 0;
      quadPos = 0;
    }
  }
  return quadPos === 0 ? Buffer.from(out) : undefined;
}

/** `json.detect_encoding` then decode; `undefined` where Python raises UnicodeDecodeError. */
function decodeJsonBytes(bytes: Buffer): string | undefined {
  const startsWith = (...prefix: number[]): boolean => prefix.every((byte, index) => bytes[index] === byte);
  let encoding = "utf-8";
  let skip = 0;
  if (startsWith(0x00, 0x00, 0xfe, 0xff) || startsWith(0xff, 0xfe, 0x00, 0x00)) encoding = "utf-32";
  else if (startsWith(0xfe, 0xff) || startsWith(0xff, 0xfe)) encoding = "utf-16";
  else if (startsWith(0xef, 0xbb, 0xbf)) [encoding, skip] = ["utf-8", 3];
  else if (bytes.length >= 4 && bytes[0] === 0) encoding = bytes[1] ? "utf-16be" : "utf-32be";
  else if (bytes.length >= 4 && bytes[1] === 0) encoding = bytes[2] || bytes[3] ? "utf-16le" : "utf-32le";
  else if (bytes.length === 2 && bytes[0] === 0) encoding = "utf-16be";
  else if (bytes.length === 2 && bytes[1] === 0) encoding = "utf-16le";
  try {
    if (encoding.startsWith("utf-32")) return decodeUtf32(bytes, encoding);
    if (encoding === "utf-16") {
      const littleEndian = bytes[0] === 0xff;
      return new TextDecoder(littleEndian ? "utf-16le" : "utf-16be", { fatal: true }).decode(bytes.subarray(2));
    }
    return new TextDecoder(encoding, { fatal: true, ignoreBOM: true }).decode(bytes.subarray(skip));
  } catch {
    return undefined;
  }
}

function decodeUtf32(bytes: Buffer, encoding: string): string {
  let littleEndian = encoding === "utf-32le";
  let start = 0;
  if (encoding === "utf-32") {
    littleEndian = bytes[0] === 0xff;
    start = 4;
  }
  if ((bytes.length - start) % 4 !== 0) throw new Error("truncated data");
  let text = "";
  for (let index = start; index < bytes.length; index += 4) {
    const code = littleEndian ? bytes.readUInt32LE(index) : bytes.readUInt32BE(index);
    if (code > 0x10ffff) throw new Error("code point not in range");
    text += String.fromCodePoint(code);
  }
  return text;
}

/** A JSON float as Python reads it (kept apart from integers, which Python reads exactly). */
class PyFloat {
  constructor(readonly value: number) {}
}

/** A value of Python's `json.loads`: integers are bigint, floats {@link PyFloat}. */
type PyJson = null | boolean | string | bigint | PyFloat | PyJson[] | { [key: string]: PyJson };

/** `json.loads(text)`; `undefined` where it raises `JSONDecodeError`. */
function parsePythonJson(text: string): { value: PyJson } | undefined {
  let pos = 0;
  const ws = (): void => {
    while (pos < text.length && " \t\n\r".includes(text[pos]!)) pos++;
  };
  const fail = (): never => {
    throw new SyntaxError("json");
  };
  const value = (): PyJson => {
    ws();
    const char = text[pos];
    if (char === "{") {
      pos++;
      const object: Record<string, PyJson> = {};
      ws();
      if (text[pos] === "}") {
        pos++;
        return object;
      }
      for (;;) {
        ws();
        if (text[pos] !== '"') fail();
        const key = string();
        ws();
        if (text[pos++] !== ":") fail();
        object[key] = value();
        ws();
        const next = text[pos++];
        if (next === "}") return object;
        if (next !== ",") fail();
      }
    }
    if (char === "[") {
      pos++;
      const array: PyJson[] = [];
      ws();
      if (text[pos] === "]") {
        pos++;
        return array;
      }
      for (;;) {
        array.push(value());
        ws();
        const next = text[pos++];
        if (next === "]") return array;
        if (next !== ",") fail();
      }
    }
    if (char === '"') return string();
    for (const [word, result] of [
      ["null", null],
      ["true", true],
      ["false", false],
      ["NaN", new PyFloat(NaN)],
      ["Infinity", new PyFloat(Infinity)],
      ["-Infinity", new PyFloat(-Infinity)],
    ] as const) {
      if (text.startsWith(word, pos)) {
        pos += word.length;
        return result;
      }
    }
    const number = /-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?/y;
    number.lastIndex = pos;
    const match = number.exec(text) ?? fail();
    pos += match[0].length;
    return match[1] || match[2] ? new PyFloat(Number(match[0])) : BigInt(match[0]);
  };
  const string = (): string => {
    // biome-ignore lint/suspicious/noControlCharactersInRegex: JSON strings may not hold raw control characters (RFC 8259)
    const literal = /"(?:[^"\\\x00-\x1f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;
    literal.lastIndex = pos;
    const match = literal.exec(text) ?? fail();
    pos += match[0].length;
    return match[0]
      .slice(1, -1)
      .replace(/\\(?:u([0-9a-fA-F]{4})|(.))/g, (_all, hex: string | undefined, escaped: string) =>
        hex ? String.fromCharCode(parseInt(hex, 16)) : (({ b: "\b", f: "\f", n: "\n", r: "\r", t: "\t" } as Record<string, string>)[escaped] ?? escaped),
      );
  };
  try {
    const result = value();
    ws();
    return pos === text.length ? { value: result } : undefined;
  } catch (error) {
    if (error instanceof SyntaxError) return undefined;
    throw error;
  }
}

/** Python's truthiness of a JSON value (`not offset`). */
function isFalsy(value: PyJson | undefined): boolean {
  if (value === undefined || value === null || value === false || value === "" || value === 0n) return true;
  if (value instanceof PyFloat) return value.value === 0;
  if (Array.isArray(value)) return value.length === 0;
  if (typeof value === "object") return Object.keys(value).length === 0;
  return false;
}

/** Python's `int(value)` of a JSON value, with the error code MLflow reports when it fails. */
function pythonInt(value: PyJson): bigint {
  if (typeof value === "bigint") return value;
  if (value === true) return 1n;
  if (value instanceof PyFloat) {
    if (Number.isNaN(value.value)) throw invalid("Invalid page token, not stringable nan");
    if (!Number.isFinite(value.value)) throw internal("Invalid page token: cannot convert float infinity to integer");
    return BigInt(Math.trunc(value.value));
  }
  if (typeof value === "string") {
    const digits = asciiDigits(pythonStrip(value));
    if (!/^[+-]?[0-9](?:_?[0-9])*$/.test(digits)) throw invalid(`Invalid page token, not stringable ${value}`);
    return BigInt(digits.replaceAll("_", ""));
  }
  throw internal("Invalid page token: int() argument must be a string, a bytes-like object or a real number");
}

/**
 * Splits `limit + 1` fetched rows into a page and the next token (MLflow fetches one extra row to
 * know whether another page exists).
 * @internal
 */
export function toPage<T>(rows: T[], offset: number | bigint, limit: number): { items: T[]; nextPageToken: string | undefined } {
  if (rows.length <= limit) return { items: rows, nextPageToken: undefined };
  return { items: rows.slice(0, limit), nextPageToken: encodePageToken(typeof offset === "bigint" ? offset + BigInt(limit) : offset + limit) };
}
