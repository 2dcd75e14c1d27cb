/** Limits and view types shared by the searches of the embedded store (MLflow's values). */
import type { ViewType } from "../../../protocol/entities/tracking.js";
import { invalidParameter } from "../engine/errors.js";

/** Largest page of experiment and run searches: 50 000 (`SEARCH_MAX_RESULTS_THRESHOLD`). */
export const SEARCH_MAX_RESULTS = 50_000;

/**
 * Checks a page size as `_validate_max_results_param` does.
 * @throws {StoreException} `INVALID_PARAMETER_VALUE` below 1 or above `max`.
 * @internal
 */
export function validateMaxResults(maxResults: number, max: number): void {
  if (!Number.isInteger(maxResults) || maxResults < 1) {
    throw invalidParameter(`Invalid value ${maxResults} for parameter 'max_results' supplied. It must be a positive integer`);
  }
  if (maxResults > max) throw invalidParameter(`Invalid value ${maxResults} for parameter 'max_results' supplied. It must be at most ${max}`);
}

/**
 * Lifecycle stages a view type selects; `ACTIVE_ONLY` when unset.
 * @internal
 */
export function stagesOf(viewType: ViewType | undefined): ("active" | "deleted")[] {
  if (viewType === "DELETED_ONLY") return ["deleted"];
  if (viewType === "ALL") return ["active", "deleted"];
  return ["active"];
}
