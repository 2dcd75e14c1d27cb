/**
 * The rules a {@link ValidationError} can name, with what each means: one table, so that
 * `error.rule` is a literal union a `switch` can check, no call site can invent a rule, and
 * docs/errors.md lists the same ones.
 */

/** Every rule a `ValidationError` names, and what breaking it means. */
export const VALIDATION_RULES = {
  "key-type": "a metric, param or tag key that is not a string",
  "key-empty": "an empty key",
  "key-length": "a key over 250 characters",
  "key-characters": "a key with characters other than letters, digits, `_ - . / :` and space",
  "key-path": "a path-ambiguous key (`a//b`, `./a`, `a/`, `/a`, `..`)",
  "value-length": "a value over MLflow's limit (param 6000, run tag 8000, experiment tag 20 000, registry tag 100 000 characters); refused, not truncated",
  "value-type": "a param or tag value that cannot become a string (`undefined`, a function, a circular object)",
  "metric-value": "a metric value that is not a number (booleans and strings are refused; NaN and ±Infinity are fine)",
  "metric-timestamp": "a metric timestamp that is not whole, non-negative milliseconds within ±(2^53 − 1) (beyond, a number is no longer exact)",
  "metric-step": "a metric step that is not a whole number within ±(2^53 − 1) (beyond, a number is no longer exact)",
  "duplicate-param": "the same param key twice in one batch",
  "param-changed": "a param logged again with a different value (params are write-once)",
  "experiment-name": "an empty or over-long experiment name",
  "model-name": "a registered-model name MLflow refuses",
  "logged-model-name": "a logged-model name MLflow refuses",
  alias: "an alias that is not 1–255 letters, digits, `_` or `-`",
  "alias-reserved": 'an alias MLflow reserves ("latest", "v<number>")',
  "run-id": "an id that is not a run id",
  "path-id": "an id that could change a URL path (empty, `..`)",
  "max-results": "a page size outside the server's range",
  "max-items": "a `maxItems` bound that is not a whole number of at least 1",
  "bulk-runs": "`getHistoryBulkInterval` with no run or more than 100",
  "bulk-max-results": "`getHistoryBulkInterval` `max_results` outside 1–2500",
  "bulk-interval": "`getHistoryBulkInterval` with half an interval, or start after end",
  "run-ended": "logging to a run that has ended",
  "end-status": "ending a run with a status other than FINISHED, FAILED or KILLED",
  "json-value": "`logJson`/`logDict` with a value that does not serialise",
  "data-type": "`uploadData` with data that is not a string, bytes or a stream",
  "dataset-identity": "a dataset without a name or a digest",
  "table-file": "a table artifact that is not `.json`, or a name taken by an artifact that is not a table",
  "table-columns": "table columns of different lengths",
  "logged-artifacts-tag": "a run whose `mlflow.loggedArtifacts` tag is not a JSON list",
  "webhook-name": "an empty webhook name",
  "webhook-url": "a webhook URL that does not parse or is not http(s)",
  "webhook-events": "a webhook without events, or an event without entity and action",
  // Artifact paths (UnsafeArtifactPathError), refused before any request
  type: "an artifact path that is not a string",
  empty: "an empty artifact path",
  "control-character": "an artifact path with a control character, raw or percent-encoded",
  backslash: 'an artifact path with "\\", raw or percent-encoded',
  fragment: 'an artifact path with "#", raw or percent-encoded',
  "path-parameter": 'an artifact path with ";", raw or percent-encoded',
  "percent-encoding": "an artifact path whose percent-escapes still decode to something new after 10 rounds",
  absolute: "an artifact path that is absolute (or a file: URI) once percent-decoded",
  "drive-letter": "an artifact path that starts with a drive letter once percent-decoded",
  "parent-segment": 'an artifact path with a ".." segment once percent-decoded',
  "empty-segment": 'an artifact path with an empty or "." segment, raw or percent-decoded',
  "proxy-decodes": "a legal name with %XX that the tracking server's artifact proxy would decode into another name",
  "outside-directory": "a listing that names a path outside the directory listed",
  "outside-destination": "a download that would write outside its destination directory",
} as const;

/** A rule a `ValidationError` names, e.g. `key-characters`. */
export type ValidationRule = keyof typeof VALIDATION_RULES;
