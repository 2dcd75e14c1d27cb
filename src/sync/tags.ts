/**
 * The tags `mlflow-ts sync` puts on the runs it copies, and which source tags it does not copy.
 * A copied run carries the id of its source run (the identity a later sync looks up), where it came
 * from, and whether the copy is complete.
 */
import { CREATE_REQUEST_ID_TAG } from "../store/rest/rest-store.js";

/**
 * Run id of the source run a target run was copied from. Run ids are random 128-bit values, so the
 * id alone identifies the source run even after its database file moved.
 */
export const SYNC_SOURCE_RUN_ID_TAG = "mlflow-ts.sync.sourceRunId";
/** Tracking URI of the source store (for people; not used to match runs), e.g. `sqlite:////home/me/mlflow.db`. */
export const SYNC_SOURCE_URI_TAG = "mlflow-ts.sync.sourceUri";
/** `incomplete` while a copy is in progress (or was interrupted), `complete` once everything was copied. */
export const SYNC_STATE_TAG = "mlflow-ts.sync.state";

/**
 * Id (`m-…`) of the source logged model a target logged model was copied from (with
 * {@link SYNC_STATE_TAG}, `incomplete` until the copy is finalized).
 */
export const SYNC_SOURCE_MODEL_ID_TAG = "mlflow-ts.sync.sourceModelId";
/** Source version number of a model version copy (the registered model's name is the same on both sides). */
export const SYNC_SOURCE_VERSION_TAG = "mlflow-ts.sync.sourceVersion";

/**
 * Digest of the source run's local artifact tree (paths, sizes, modification times; see
 * `artifactsDigest`) when its copy was last written: a complete copy whose digest differs from the
 * source's current one is updated, and its artifacts uploaded again.
 */
export const SYNC_ARTIFACTS_DIGEST_TAG = "mlflow-ts.sync.artifactsDigest";

/** Values of {@link SYNC_STATE_TAG}. */
export const SYNC_STATE = { incomplete: "incomplete", complete: "complete" } as const;

/** Every tag key of the sync's own bookkeeping starts with this. */
const SYNC_TAG_PREFIX = "mlflow-ts.sync.";

/**
 * Whether a tag is bookkeeping of a store or of a sync rather than data of the run: the sync tags,
 * and the request id the REST store gives each run it creates. Such tags are never copied (the
 * target gets its own).
 *
 * @example
 * isBookkeepingTag("mlflow-ts.sync.state"); // true
 * isBookkeepingTag("mlflow.user");          // false
 */
export function isBookkeepingTag(key: string): boolean {
  return key.startsWith(SYNC_TAG_PREFIX) || key === CREATE_REQUEST_ID_TAG;
}
