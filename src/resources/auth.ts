/**
 * `client.auth`: the admin API of MLflow's basic-auth app (`mlflow server --app-name basic-auth`),
 * its users and their permissions on experiments and registered models. One namespace so the
 * three share what they learn about the server (which generation of the permission API it has).
 */
import type { ServerCapabilities } from "../store/rest/server-capabilities.js";
import type { TrackingStore } from "../store/tracking-store.js";
import { AuthApiGeneration } from "./auth-generation.js";
import { ExperimentPermissions, RegisteredModelPermissions } from "./auth-permissions.js";
import { AuthUsers } from "./auth-users.js";

/**
 * The basic-auth admin API. The client's own credentials (`MLFLOW_TRACKING_USERNAME` /
 * `MLFLOW_TRACKING_PASSWORD`) must be an admin's for user administration, or MANAGE on the
 * resource for its permissions.
 *
 * @example
 * // A CI job's service account that may log to one experiment:
 * await client.auth.users.create("ci-bot", process.env.CI_BOT_PASSWORD ?? "");
 * await client.auth.experimentPermissions.create(experimentId, "ci-bot", "EDIT");
 */
export class Auth {
  /** Users: create, get, updatePassword, updateAdmin, delete, permissions. */
  readonly users: AuthUsers;
  /** A user's permission on an experiment: create, get, update, delete. */
  readonly experimentPermissions: ExperimentPermissions;
  /** A user's permission on a registered model: create, get, update, delete. */
  readonly registeredModelPermissions: RegisteredModelPermissions;

  /** @internal */
  constructor(store: TrackingStore, capabilities?: Pick<ServerCapabilities, "unsupported">) {
    const generation = new AuthApiGeneration();
    this.users = new AuthUsers(store, generation);
    this.experimentPermissions = new ExperimentPermissions(store, generation, capabilities);
    this.registeredModelPermissions = new RegisteredModelPermissions(store, generation, capabilities);
  }
}
