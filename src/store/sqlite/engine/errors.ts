/**
 * Errors of the embedded store. Handlers throw a {@link StoreException} with MLflow's error code,
 * as the Python store raises `MlflowException`; the store turns it into the same
 * {@link MlflowApiError} subclass the REST store would throw for that code (HTTP status included),
 * with the pseudo method `LOCAL` and the endpoint `sqlite:<rpc name>`.
 */
import { apiErrorFromResponse, type MlflowApiError, MlflowError, ValidationError } from "../../../core/errors.js";

/** MLflow's `ERROR_CODE_TO_HTTP_STATUS` for the codes the embedded store raises. */
const STATUS_OF_CODE: Record<string, number> = {
  INVALID_PARAMETER_VALUE: 400,
  BAD_REQUEST: 400,
  RESOURCE_ALREADY_EXISTS: 400,
  RESOURCE_DOES_NOT_EXIST: 404,
  INVALID_STATE: 500,
  INTERNAL_ERROR: 500,
  NOT_IMPLEMENTED: 501,
  TEMPORARILY_UNAVAILABLE: 503,
};

/** An error code the embedded store raises. */
export type StoreErrorCode =
  | "INVALID_PARAMETER_VALUE"
  | "BAD_REQUEST"
  | "RESOURCE_ALREADY_EXISTS"
  | "RESOURCE_DOES_NOT_EXIST"
  | "INVALID_STATE"
  | "INTERNAL_ERROR"
  | "NOT_IMPLEMENTED"
  | "TEMPORARILY_UNAVAILABLE";

/**
 * Raised inside the embedded store with MLflow's error code and message; converted to an
 * {@link MlflowApiError} before it leaves the store.
 * @internal
 */
export class StoreException extends Error {
  readonly code: StoreErrorCode;

  constructor(code: StoreErrorCode, message: string) {
    super(message);
    this.name = "StoreException";
    this.code = code;
  }
}

/** `INVALID_PARAMETER_VALUE` (HTTP 400). @internal */
export function invalidParameter(message: string): StoreException {
  return new StoreException("INVALID_PARAMETER_VALUE", message);
}

/** `RESOURCE_DOES_NOT_EXIST` (HTTP 404). @internal */
export function notFound(message: string): StoreException {
  return new StoreException("RESOURCE_DOES_NOT_EXIST", message);
}

/** `RESOURCE_ALREADY_EXISTS` (HTTP 400, as MLflow answers). @internal */
export function alreadyExists(message: string): StoreException {
  return new StoreException("RESOURCE_ALREADY_EXISTS", message);
}

/**
 * Converts whatever a handler threw into what the store throws: {@link StoreException} and
 * {@link ValidationError} become the REST store's {@link MlflowApiError} subclasses; SQLite's
 * "database is locked" becomes a retryable `TEMPORARILY_UNAVAILABLE` (503), constraint failures
 * `BAD_REQUEST` (400) and any other SQLite error `INTERNAL_ERROR` (500), as in MLflow's SQL store.
 * Other {@link MlflowError}s pass through unchanged.
 * @internal
 */
export function toStoreError(rpc: string, error: unknown): Error {
  if (error instanceof MlflowError) return error instanceof ValidationError ? apiError(rpc, "INVALID_PARAMETER_VALUE", error.message) : error;
  if (error instanceof StoreException) return apiError(rpc, error.code, error.message);
  const sqliteCode = (error as { code?: unknown } | null)?.code;
  if (typeof sqliteCode === "string" && sqliteCode.startsWith("SQLITE_")) return apiError(rpc, codeOfSqliteError(sqliteCode), (error as Error).message);
  return error instanceof Error ? error : new Error(String(error));
}

function codeOfSqliteError(sqliteCode: string): StoreErrorCode {
  if (sqliteCode.startsWith("SQLITE_BUSY") || sqliteCode.startsWith("SQLITE_LOCKED")) return "TEMPORARILY_UNAVAILABLE";
  if (sqliteCode.startsWith("SQLITE_CONSTRAINT")) return "BAD_REQUEST";
  return "INTERNAL_ERROR";
}

function apiError(rpc: string, code: StoreErrorCode, message: string): MlflowApiError {
  const status = STATUS_OF_CODE[code] ?? 500;
  return apiErrorFromResponse({
    method: "LOCAL",
    endpoint: `sqlite:${rpc}`,
    status,
    body: JSON.stringify({ error_code: code, message }),
    retryable: code === "TEMPORARILY_UNAVAILABLE",
  });
}
