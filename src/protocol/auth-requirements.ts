/**
 * What each RPC needs from the basic-auth app, so that a 403 can say it. The server's answer to a
 * refused request is the bare text "Permission denied"; the rules live in MLflow's
 * `mlflow/server/auth/__init__.py` (the `validate_can_*` functions: read → READ, update → EDIT,
 * delete and manage → MANAGE, in `permissions.py`'s `can_read`/`can_update`/`can_delete`/
 * `can_manage`). This table restates them per endpoint of the endpoint table, with the request
 * field that names the resource, so the message can name the operation, the resource and the
 * permission, and the grant that fixes it.
 */
import type { EndpointName } from "./endpoints.js";

/** What a refused request needed, in words a person can act on. */
export interface DeniedRequirement {
  /** What the request did, e.g. `write to`, `read`, `delete`. */
  operation: string;
  /** The resource, e.g. `experiment 12`, `the experiment of run 3f2…`, `registered model "churn"`. */
  resource: string;
  /** The least permission that allows it (`READ`, `EDIT`, `MANAGE`), or `admin` for user administration. */
  requiredPermission: "READ" | "EDIT" | "MANAGE" | "admin";
  /** The command that grants it, or what to ask for when no grant does. */
  fix: string;
}

type Kind = "experiment" | "experimentName" | "run" | "model" | "loggedModel" | "workspace" | "grant";
type Level = "READ" | "EDIT" | "MANAGE";

/** Per endpoint: what names the resource and the permission it needs (endpoints missing here: admin). */
// biome-ignore format: one row per endpoint keeps the table readable
const RULES: Partial<Record<EndpointName, readonly [Kind, Level, string]>> = {
  "experiments.get": ["experiment", "READ", "read"],
  "experiments.getByName": ["experimentName", "READ", "read"],
  "experiments.update": ["experiment", "EDIT", "rename"],
  "experiments.setTag": ["experiment", "EDIT", "write to"],
  "experiments.deleteTag": ["experiment", "EDIT", "write to"],
  "experiments.delete": ["experiment", "MANAGE", "delete"],
  "experiments.restore": ["experiment", "MANAGE", "restore"],
  "experiments.create": ["workspace", "EDIT", "create an experiment in"],
  "runs.create": ["experiment", "EDIT", "create a run in"],
  "runs.get": ["run", "READ", "read"],
  "runs.update": ["run", "EDIT", "update"],
  "runs.delete": ["run", "MANAGE", "delete"],
  "runs.restore": ["run", "MANAGE", "restore"],
  "runs.logMetric": ["run", "EDIT", "log to"],
  "runs.logParam": ["run", "EDIT", "log to"],
  "runs.setTag": ["run", "EDIT", "log to"],
  "runs.deleteTag": ["run", "EDIT", "log to"],
  "runs.logBatch": ["run", "EDIT", "log to"],
  "runs.logInputs": ["run", "EDIT", "log to"],
  "runs.logOutputs": ["run", "EDIT", "log to"],
  "metrics.getHistory": ["run", "READ", "read the metrics of"],
  "metrics.getHistoryBulkInterval": ["run", "READ", "read the metrics of"],
  "artifacts.list": ["run", "READ", "list the artifacts of"],
  "registeredModels.create": ["workspace", "EDIT", "create a registered model in"],
  "registeredModels.get": ["model", "READ", "read"],
  "registeredModels.getLatestVersions": ["model", "READ", "read"],
  "registeredModels.getByAlias": ["model", "READ", "read"],
  "registeredModels.rename": ["model", "EDIT", "rename"],
  "registeredModels.update": ["model", "EDIT", "update"],
  "registeredModels.setTag": ["model", "EDIT", "write to"],
  "registeredModels.deleteTag": ["model", "EDIT", "write to"],
  "registeredModels.setAlias": ["model", "EDIT", "set an alias on"],
  "registeredModels.deleteAlias": ["model", "EDIT", "delete an alias of"],
  "registeredModels.delete": ["model", "MANAGE", "delete"],
  "modelVersions.create": ["model", "EDIT", "create a version of"],
  "modelVersions.get": ["model", "READ", "read a version of"],
  "modelVersions.getDownloadUri": ["model", "READ", "read a version of"],
  "modelVersions.update": ["model", "EDIT", "update a version of"],
  "modelVersions.transitionStage": ["model", "EDIT", "change the stage of a version of"],
  "modelVersions.setTag": ["model", "EDIT", "write to a version of"],
  "modelVersions.deleteTag": ["model", "EDIT", "write to a version of"],
  "modelVersions.delete": ["model", "MANAGE", "delete a version of"],
  "loggedModels.create": ["experiment", "EDIT", "create a logged model in"],
  "loggedModels.get": ["loggedModel", "READ", "read"],
  "loggedModels.listArtifacts": ["loggedModel", "READ", "list the artifacts of"],
  "loggedModels.finalize": ["loggedModel", "EDIT", "finalize"],
  "loggedModels.setTags": ["loggedModel", "EDIT", "write to"],
  "loggedModels.deleteTag": ["loggedModel", "EDIT", "write to"],
  "loggedModels.logParams": ["loggedModel", "EDIT", "write to"],
  "loggedModels.delete": ["loggedModel", "MANAGE", "delete"],
  "auth.permissions.grant": ["grant", "MANAGE", "grant permissions on"],
  "auth.permissions.revoke": ["grant", "MANAGE", "revoke permissions on"],
  "auth.experimentPermissions.create": ["experiment", "MANAGE", "grant permissions on"],
  "auth.experimentPermissions.update": ["experiment", "MANAGE", "change permissions on"],
  "auth.experimentPermissions.delete": ["experiment", "MANAGE", "revoke permissions on"],
  "auth.registeredModelPermissions.create": ["model", "MANAGE", "grant permissions on"],
  "auth.registeredModelPermissions.update": ["model", "MANAGE", "change permissions on"],
  "auth.registeredModelPermissions.delete": ["model", "MANAGE", "revoke permissions on"],
};

const USER = "<user>";

/**
 * What a request refused with 403 needed: the operation, the resource (from the request's own
 * fields), the permission and the `mlflow-ts auth grant` command an admin runs. `username` is the
 * caller's user when the client knows it (basic auth); otherwise the command says `<user>`.
 *
 * @example
 * describeRequirement("runs.logBatch", { run_id: "3f2a" }, "ci-bot")
 * // { operation: "log to", resource: "the experiment of run 3f2a", requiredPermission: "EDIT",
 * //   fix: "ask an admin to run `mlflow-ts auth grant experiment <ID> ci-bot EDIT` …" }
 * @internal
 */
export function describeRequirement(name: EndpointName, request: Record<string, unknown>, username: string | undefined): DeniedRequirement {
  const user = username ?? USER;
  const rule = RULES[name];
  if (rule === undefined) return { operation: "administer", resource: "the server's users", requiredPermission: "admin", fix: adminFix(user) };
  const [kind, level, operation] = rule;
  const text = (key: string): string => String(request[key] ?? "?");
  switch (kind) {
    case "experiment":
      return {
        operation,
        resource: `experiment ${text("experiment_id")}`,
        requiredPermission: level,
        fix: grantFix("experiment", text("experiment_id"), user, level),
      };
    case "experimentName":
      return {
        operation,
        resource: `experiment ${JSON.stringify(text("experiment_name"))}`,
        requiredPermission: level,
        fix: grantFix("experiment", JSON.stringify(text("experiment_name")), user, level),
      };
    case "run":
      return {
        operation,
        resource: `the experiment of run ${text(request.run_id === undefined ? "run_ids" : "run_id")}`,
        requiredPermission: level,
        fix: `${grantFix("experiment", "<experiment id of the run>", user, level)} (the server also refuses a run that does not exist)`,
      };
    case "model":
      return {
        operation,
        resource: `registered model ${JSON.stringify(text("name"))}`,
        requiredPermission: level,
        fix: grantFix("model", JSON.stringify(text("name")), user, level),
      };
    case "loggedModel":
      return {
        operation,
        resource: `the experiment of logged model ${text("model_id")}`,
        requiredPermission: level,
        fix: grantFix("experiment", "<experiment id of the model>", user, level),
      };
    case "grant": {
      const type = request.resource_type === "registered_model" ? "model" : "experiment";
      const id = text("resource_id");
      return {
        operation,
        resource: `${type === "model" ? "registered model" : "experiment"} ${id}`,
        requiredPermission: level,
        fix: grantFix(type, id, user, level),
      };
    }
    case "workspace":
      return {
        operation,
        resource: "this server",
        requiredPermission: level,
        fix: "ask an admin to let the user create here (the server's default_permission, or a workspace grant).",
      };
  }
}

function grantFix(type: "experiment" | "model", id: string, user: string, level: Level): string {
  return `ask an admin to run \`mlflow-ts auth grant ${type} ${id} ${user} ${level}\`, or use a user that has ${level} on it.`;
}

function adminFix(user: string): string {
  return `use an admin account, or ask an admin to run \`mlflow-ts auth users set-admin ${user}\`.`;
}
