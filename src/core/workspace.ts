/**
 * MLflow workspaces (MLflow 3.10+, `mlflow server --enable-workspaces`): the request header that
 * names the workspace, the reserved default workspace and the naming rule, as the Python client and
 * server define them (`mlflow/utils/workspace_utils.py`, `WorkspaceNameValidator`). In core/ because
 * both the configuration (which checks the name) and the transport (which sends it) need them.
 */

/** The header that carries the workspace of a request, as the Python client sends it. */
export const WORKSPACE_HEADER = "X-MLFLOW-WORKSPACE";

/** The workspace a server with workspaces uses when a request names none. */
export const DEFAULT_WORKSPACE = "default";

/** Names the server keeps for itself. */
const RESERVED_WORKSPACE_NAMES: ReadonlySet<string> = new Set(["workspaces", "api", "ajax-api", "static-files"]);
const WORKSPACE_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const MIN_WORKSPACE_NAME_LENGTH = 2;
const MAX_WORKSPACE_NAME_LENGTH = 63;

/**
 * What is wrong with a workspace name, or `undefined` when the server accepts it: 2–63 characters,
 * lowercase letters, digits and inner hyphens (a Kubernetes namespace name), not reserved.
 * `default` is always accepted (the server's own workspace).
 * @example
 * workspaceNameProblem("team-a") // undefined
 * workspaceNameProblem("Team_A") // "must be lowercase letters, digits and inner hyphens (^[a-z0-9]([-a-z0-9]*[a-z0-9])?$)"
 * @internal
 */
export function workspaceNameProblem(name: string): string | undefined {
  if (name === DEFAULT_WORKSPACE) return undefined;
  if (name.length < MIN_WORKSPACE_NAME_LENGTH || name.length > MAX_WORKSPACE_NAME_LENGTH) {
    return `must be ${MIN_WORKSPACE_NAME_LENGTH} to ${MAX_WORKSPACE_NAME_LENGTH} characters long (it has ${name.length})`;
  }
  if (!WORKSPACE_NAME.test(name)) return `must be lowercase letters, digits and inner hyphens (${WORKSPACE_NAME.source})`;
  if (RESERVED_WORKSPACE_NAMES.has(name)) return `is reserved by the server (${[...RESERVED_WORKSPACE_NAMES].join(", ")})`;
  return undefined;
}

/**
 * Whether a request to `path` carries the workspace header. The workspace API names its workspace
 * in the path, so, as the Python client, it is left off there (`_should_include_workspace_header`).
 * @example
 * sendsWorkspaceHeader("/api/2.0/mlflow/runs/get") // true
 * sendsWorkspaceHeader("/api/3.0/mlflow/workspaces/team-a") // false
 * @internal
 */
export function sendsWorkspaceHeader(path: string): boolean {
  return !path.includes("/mlflow/workspaces");
}

/** MLflow's message for a request whose workspace it does not have (`get_workspace`). */
const UNKNOWN_WORKSPACE = /^Workspace '([^']*)' not found$/;
/** The plain-text 503 of the workspace API on a server started without workspaces. */
const WORKSPACE_API_DISABLED = /^Endpoint: \S+ disabled because the server is running without workspaces support/;

/**
 * Whether a server's error message says the request's workspace does not exist.
 * @example
 * isUnknownWorkspaceMessage("Workspace 'team-x' not found") // true
 * @internal
 */
export function isUnknownWorkspaceMessage(message: string | undefined): boolean {
  return message !== undefined && UNKNOWN_WORKSPACE.test(message);
}

/**
 * The "Fix: …" sentence for the server's workspace answers: a server started without workspaces
 * (`FEATURE_DISABLED` for a request naming one, the plain-text 503 of its workspace API), or a
 * workspace it does not have. `undefined` for any other answer.
 * @param errorCode - MLflow's `error_code`, when the body was MLflow's JSON.
 * @param message - The JSON body's `message`, else the body's text.
 * @example
 * workspaceErrorFix("RESOURCE_DOES_NOT_EXIST", "Workspace 'team-x' not found")
 * // "Fix: create the workspace (mlflow-ts workspaces create team-x) or set MLFLOW_WORKSPACE to one the server lists (mlflow-ts workspaces list)."
 * @internal
 */
export function workspaceErrorFix(errorCode: string | undefined, message: string): string | undefined {
  if (WORKSPACE_API_DISABLED.test(message)) {
    return "Fix: this server runs without workspaces: start it with --enable-workspaces (MLflow 3.10+ on a SQL database).";
  }
  if (errorCode === "FEATURE_DISABLED" && message.includes("workspaces are not enabled")) {
    return "Fix: this server runs without workspaces: unset MLFLOW_WORKSPACE (or the workspace option), or start the server with --enable-workspaces.";
  }
  const missing = UNKNOWN_WORKSPACE.exec(message);
  if (missing) {
    return `Fix: create the workspace (mlflow-ts workspaces create ${missing[1]}) or set MLFLOW_WORKSPACE to one the server lists (mlflow-ts workspaces list).`;
  }
  return undefined;
}
