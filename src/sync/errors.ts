/** Errors of `syncRuns` that stop it before anything is copied. */

import { messageOf } from "../core/error-text.js";
import { MlflowError } from "../core/errors.js";
import { redact } from "../core/redact.js";

/**
 * The sync cannot start: an experiment named in `experimentNames` does not exist at the source, or
 * the options are wrong. Failures of single experiments or runs do not throw: they are in the report.
 *
 * @example
 * try { await syncRuns({ from, to, experimentNames: ["mnist"] }) } catch (e) { if (e instanceof SyncError) console.error(e.message) }
 */
export class SyncError extends MlflowError {}

/**
 * An error as the report shows it: its message, redacted.
 * @example
 * describeError(new Error("HTTP 503")); // "HTTP 503"
 */
export function describeError(error: unknown): string {
  return redact(messageOf(error));
}
