/**
 * Page tokens as MLflow's stores make them: base64 of the JSON `{"offset": N}` (Python's
 * `json.dumps` spacing), so a token from the embedded store means the same to an MLflow server
 * reading the same database.
 */
import { invalidParameter } from "./errors.js";

/**
 * The token of the page that starts at `offset`.
 * @example
 * encodePageToken(1000) // "eyJvZmZzZXQiOiAxMDAwfQ=="
 * @internal
 */
export function encodePageToken(offset: number): string {
  return Buffer.from(`{"offset": ${offset}}`, "utf8").toString("base64");
}

/**
 * The offset a token points at; 0 for no token.
 * @throws {StoreException} `INVALID_PARAMETER_VALUE` for a token MLflow would refuse.
 * @internal
 */
export function decodePageToken(token: string | undefined): number {
  if (!token) return 0;
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(token)) throw invalidParameter("Invalid page token, could not base64-decode");
  const decoded = Buffer.from(token, "base64").toString("utf8");
  let parsed: unknown;
  try {
    parsed = JSON.parse(decoded);
  } catch {
    throw invalidParameter(`Invalid page token, decoded value=${decoded}`);
  }
  const offset = (parsed as { offset?: unknown } | null)?.offset;
  if (!offset) throw invalidParameter(`Invalid page token, parsed value=${decoded}`);
  const value = Number(offset);
  if (!Number.isSafeInteger(value) || value < 0) throw invalidParameter(`Invalid page token, not stringable ${String(offset)}`);
  return value;
}

/**
 * Splits `limit + 1` fetched rows into a page and the next token (MLflow fetches one extra row to
 * know whether another page exists).
 * @internal
 */
export function toPage<T>(rows: T[], offset: number, limit: number): { items: T[]; nextPageToken: string | undefined } {
  if (rows.length <= limit) return { items: rows, nextPageToken: undefined };
  return { items: rows.slice(0, limit), nextPageToken: encodePageToken(offset + limit) };
}
