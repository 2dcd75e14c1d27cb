/**
 * The names of the tags MLflow itself reads or maintains, in one place: the system tags of a new
 * run (as MLflow's Python client sets them, `mlflow/tracking/context`), and the bookkeeping tags
 * on runs and logged models. The SDK's own tags (`mlflow-ts.*`) stay with the feature that owns them.
 */

/** `mlflow.user`: who ran the script. */
export const TAG_USER = "mlflow.user";
/** `mlflow.source.name`: the main script, or `<console>`. */
export const TAG_SOURCE_NAME = "mlflow.source.name";
/** `mlflow.source.type`: `LOCAL` for scripts. */
export const TAG_SOURCE_TYPE = "mlflow.source.type";
/** `mlflow.source.git.commit`: HEAD of the git work tree holding the main script. */
export const TAG_GIT_COMMIT = "mlflow.source.git.commit";
/** `mlflow.source.git.branch`. */
export const TAG_GIT_BRANCH = "mlflow.source.git.branch";
/** `mlflow.source.git.repoURL`: first remote, without credentials. */
export const TAG_GIT_REPO_URL = "mlflow.source.git.repoURL";
/** `mlflow.runName`: the run's display name. */
export const TAG_RUN_NAME = "mlflow.runName";
/** `mlflow.parentRunId`: the parent of a nested run. */
export const TAG_PARENT_RUN_ID = "mlflow.parentRunId";
/** `mlflow.note.content`: the run's description (Markdown). */
export const TAG_NOTE = "mlflow.note.content";
/** The run tag that lists a run's tables (and other logged artifacts), as MLflow sets it. */
export const LOGGED_ARTIFACTS_TAG = "mlflow.loggedArtifacts";
/**
 * The logged-model tag listing the model versions registered from it (`mlflow.modelVersions`),
 * maintained by the server on registration; sync leaves the target's own.
 */
export const MODEL_VERSIONS_TAG = "mlflow.modelVersions";
/** The input tag MLflow stores a dataset's context in (`mlflow.data.context`: training, eval…). */
export const DATASET_CONTEXT_TAG = "mlflow.data.context";
