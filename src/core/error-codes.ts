/**
 * MLflow's error codes: the names of the `ErrorCode` enum in `databricks.proto`, which the server
 * sends as `error_code` in every error body. One list, so that `MlflowApiError.errorCode` is a
 * literal union a `switch` can check; the conformance suite compares it with the pinned MLflow's
 * protos.
 */

/** Every `ErrorCode` name of MLflow 3.17.2, in the proto's order. */
export const ERROR_CODES = [
  "INTERNAL_ERROR",
  "TEMPORARILY_UNAVAILABLE",
  "IO_ERROR",
  "BAD_REQUEST",
  "SERVICE_UNDER_MAINTENANCE",
  "WORKSPACE_TEMPORARILY_UNAVAILABLE",
  "DEADLINE_EXCEEDED",
  "CANCELLED",
  "RESOURCE_EXHAUSTED",
  "ABORTED",
  "NOT_FOUND",
  "ALREADY_EXISTS",
  "UNAUTHENTICATED",
  "INVALID_PARAMETER_VALUE",
  "ENDPOINT_NOT_FOUND",
  "MALFORMED_REQUEST",
  "INVALID_STATE",
  "PERMISSION_DENIED",
  "FEATURE_DISABLED",
  "CUSTOMER_UNAUTHORIZED",
  "REQUEST_LIMIT_EXCEEDED",
  "RESOURCE_CONFLICT",
  "UNPARSEABLE_HTTP_ERROR",
  "NOT_IMPLEMENTED",
  "DATA_LOSS",
  "INVALID_STATE_TRANSITION",
  "COULD_NOT_ACQUIRE_LOCK",
  "RESOURCE_ALREADY_EXISTS",
  "RESOURCE_DOES_NOT_EXIST",
  "QUOTA_EXCEEDED",
  "MAX_BLOCK_SIZE_EXCEEDED",
  "MAX_READ_SIZE_EXCEEDED",
  "PARTIAL_DELETE",
  "MAX_LIST_SIZE_EXCEEDED",
  "DRY_RUN_FAILED",
  "RESOURCE_LIMIT_EXCEEDED",
  "DIRECTORY_NOT_EMPTY",
  "DIRECTORY_PROTECTED",
  "MAX_NOTEBOOK_SIZE_EXCEEDED",
  "MAX_CHILD_NODE_SIZE_EXCEEDED",
  "SEARCH_QUERY_TOO_LONG",
  "SEARCH_QUERY_TOO_SHORT",
  "MANAGED_RESOURCE_GROUP_DOES_NOT_EXIST",
  "PERMISSION_NOT_PROPAGATED",
  "DEPLOYMENT_TIMEOUT",
  "GIT_CONFLICT",
  "GIT_UNKNOWN_REF",
  "GIT_SENSITIVE_TOKEN_DETECTED",
  "GIT_URL_NOT_ON_ALLOW_LIST",
  "GIT_REMOTE_ERROR",
  "PROJECTS_OPERATION_TIMEOUT",
  "IPYNB_FILE_IN_REPO",
  "INSECURE_PARTNER_RESPONSE",
  "MALFORMED_PARTNER_RESPONSE",
  "METASTORE_DOES_NOT_EXIST",
  "DAC_DOES_NOT_EXIST",
  "CATALOG_DOES_NOT_EXIST",
  "SCHEMA_DOES_NOT_EXIST",
  "TABLE_DOES_NOT_EXIST",
  "SHARE_DOES_NOT_EXIST",
  "RECIPIENT_DOES_NOT_EXIST",
  "STORAGE_CREDENTIAL_DOES_NOT_EXIST",
  "EXTERNAL_LOCATION_DOES_NOT_EXIST",
  "PRINCIPAL_DOES_NOT_EXIST",
  "PROVIDER_DOES_NOT_EXIST",
  "METASTORE_ALREADY_EXISTS",
  "DAC_ALREADY_EXISTS",
  "CATALOG_ALREADY_EXISTS",
  "SCHEMA_ALREADY_EXISTS",
  "TABLE_ALREADY_EXISTS",
  "SHARE_ALREADY_EXISTS",
  "RECIPIENT_ALREADY_EXISTS",
  "STORAGE_CREDENTIAL_ALREADY_EXISTS",
  "EXTERNAL_LOCATION_ALREADY_EXISTS",
  "PROVIDER_ALREADY_EXISTS",
  "CATALOG_NOT_EMPTY",
  "SCHEMA_NOT_EMPTY",
  "METASTORE_NOT_EMPTY",
  "PROVIDER_SHARE_NOT_ACCESSIBLE",
] as const;

/** An MLflow error code, e.g. `RESOURCE_DOES_NOT_EXIST`. */
export type ErrorCode = (typeof ERROR_CODES)[number];

const KNOWN: ReadonlySet<string> = new Set(ERROR_CODES);

/**
 * Whether `value` is one of MLflow's error codes.
 * @example
 * isErrorCode("RESOURCE_DOES_NOT_EXIST") // true
 * @internal
 */
export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === "string" && KNOWN.has(value);
}

/**
 * The code an `UnsupportedFeatureError` carries: the one MLflow answers for a route it does not
 * have, and what Python's `RestException` reports for the same call, so code that switches on
 * `errorCode` treats both alike.
 */
export const UNSUPPORTED_FEATURE_CODE = "ENDPOINT_NOT_FOUND" satisfies ErrorCode;
