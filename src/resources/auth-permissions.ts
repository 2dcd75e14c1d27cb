/**
 * `client.auth.experimentPermissions` and `client.auth.registeredModelPermissions`: what one user
 * may do with one experiment or one registered model, on a server started with
 * `--app-name basic-auth`. Both generations of MLflow's API are spoken (see auth-generation.ts);
 * the methods and their results are the same on either.
 */
import { InvalidParameterError, NotFoundError, ValidationError } from "../core/errors.js";
import type { RequestOptions } from "../core/http/transport.js";
import type { AuthResourceType } from "../protocol/endpoints.js";
import {
  AUTH_PERMISSIONS,
  type AuthPermission,
  type ExperimentPermission,
  type GrantablePermission,
  type RegisteredModelPermission,
} from "../protocol/entities/auth.js";
import type { ServerFeature } from "../protocol/server-features.js";
import { validatePathId } from "../protocol/validation.js";
import type { ServerCapabilities } from "../store/rest/server-capabilities.js";
import type { TrackingStore } from "../store/tracking-store.js";
import type { AuthApiGeneration } from "./auth-generation.js";
import { checkUsername } from "./auth-users.js";
import { APIResource } from "./resource.js";

/** The permissions on one kind of resource, over either generation of the API. */
abstract class ResourcePermissions extends APIResource {
  /** @internal */
  protected readonly generation: AuthApiGeneration;
  protected abstract readonly resourceType: AuthResourceType;

  /** @internal */
  protected readonly capabilities: Pick<ServerCapabilities, "unsupported"> | undefined;

  constructor(store: TrackingStore, generation: AuthApiGeneration, capabilities?: Pick<ServerCapabilities, "unsupported">) {
    super(store);
    this.generation = generation;
    this.capabilities = capabilities;
  }

  /**
   * Runs a create or update of `permission`; a server too old for the level (USE before 3.9, DENY
   * before 3.17) refuses it as an invalid permission, which becomes `UnsupportedFeatureError`
   * naming the permission, the server's version and the first release that has it.
   */
  protected async withLevel<T>(permission: GrantablePermission, write: () => Promise<T>, options: RequestOptions | undefined): Promise<T> {
    try {
      return await write();
    } catch (error) {
      const feature = LEVEL_FEATURES[permission];
      if (feature === undefined || this.capabilities === undefined || !isInvalidPermission(error, permission)) throw error;
      throw (await this.capabilities.unsupported(feature, error, options?.signal)) ?? error;
    }
  }

  /** MLflow 3.13+: grant; a grant that exists answers ALREADY_EXISTS, as the old create did. */
  protected grant(resourceId: string, username: string, permission: GrantablePermission, options: RequestOptions | undefined): Promise<unknown> {
    return this.store.call("auth.permissions.grant", { username, resource_type: this.resourceType, resource_id: resourceId, permission }, options);
  }

  /** MLflow 3.13+: revoke; no grant answers RESOURCE_DOES_NOT_EXIST, as the old delete did. */
  protected revoke(resourceId: string, username: string, options: RequestOptions | undefined): Promise<unknown> {
    return this.store.call("auth.permissions.revoke", { username, resource_type: this.resourceType, resource_id: resourceId }, options);
  }

  /** MLflow 3.13+: the effective permission, the server's `default_permission` included. */
  protected async effective(resourceId: string, username: string, options: RequestOptions | undefined): Promise<AuthPermission> {
    return (await this.store.call("auth.permissions.get", { username, resource_type: this.resourceType, resource_id: resourceId }, options)).permission;
  }

  /**
   * MLflow 3.13+ has no update: the grant is revoked (if there is one) and granted again. Between the
   * two the user has the server's default permission.
   */
  protected async regrant(resourceId: string, username: string, permission: GrantablePermission, options: RequestOptions | undefined): Promise<void> {
    await this.revoke(resourceId, username, options).catch((error: unknown) => {
      if (!(error instanceof NotFoundError && error.errorCode === "RESOURCE_DOES_NOT_EXIST")) throw error;
    });
    await this.grant(resourceId, username, permission, options);
  }
}

/**
 * `client.auth.experimentPermissions`: one user's permission on one experiment. READ reads, EDIT
 * also logs runs and writes, MANAGE also deletes and grants. Needs an admin or MANAGE on the
 * experiment.
 *
 * @example
 * await client.auth.experimentPermissions.create(experimentId, "ci-bot", "EDIT");
 * const { permission } = await client.auth.experimentPermissions.get(experimentId, "ci-bot"); // "EDIT"
 */
export class ExperimentPermissions extends ResourcePermissions {
  protected readonly resourceType = "experiment";

  /**
   * Grants `permission` on the experiment to the user.
   * @throws {ValidationError} for an empty id or username, or an unknown permission.
   * @throws {AlreadyExistsError} when the user already has a grant there (use {@link ExperimentPermissions.update}).
   * @throws {NotFoundError} when the user (or, before 3.13, the experiment) does not exist.
   * @throws {PermissionDeniedError} when the client's user may not manage the experiment.
   */
  async create(experimentId: string, username: string, permission: GrantablePermission, options?: RequestOptions): Promise<ExperimentPermission> {
    check("experiment_id", experimentId, username, permission);
    await this.withLevel(
      permission,
      () =>
        this.generation.pick<unknown>(
          () => this.grant(experimentId, username, permission, options),
          () => this.store.call("auth.experimentPermissions.create", { experiment_id: experimentId, username, permission }, options),
        ),
      options,
    );
    return { experiment_id: experimentId, username, permission };
  }

  /**
   * The user's permission on the experiment. MLflow 3.13+ answers the effective permission (the
   * server's `default_permission` when there is no grant); older servers the explicit grant only.
   * @throws {NotFoundError} when the user does not exist (before 3.13: or has no grant there).
   */
  async get(experimentId: string, username: string, options?: RequestOptions): Promise<ExperimentPermission> {
    check("experiment_id", experimentId, username);
    const permission = await this.generation.pick(
      () => this.effective(experimentId, username, options),
      async () =>
        (await this.store.call("auth.experimentPermissions.get", { experiment_id: experimentId, username }, options)).experiment_permission.permission,
    );
    return { experiment_id: experimentId, username, permission };
  }

  /**
   * Changes the user's permission on the experiment (MLflow 3.13+: revoke and grant again, so it also
   * creates a grant that did not exist).
   * @throws {NotFoundError} when the user does not exist (before 3.13: or has no grant there).
   */
  async update(experimentId: string, username: string, permission: GrantablePermission, options?: RequestOptions): Promise<ExperimentPermission> {
    check("experiment_id", experimentId, username, permission);
    await this.withLevel(
      permission,
      () =>
        this.generation.pick<unknown>(
          () => this.regrant(experimentId, username, permission, options),
          () => this.store.call("auth.experimentPermissions.update", { experiment_id: experimentId, username, permission }, options),
        ),
      options,
    );
    return { experiment_id: experimentId, username, permission };
  }

  /**
   * Removes the user's grant on the experiment (the server's `default_permission` applies again).
   * @throws {NotFoundError} when there is no such grant or user.
   */
  async delete(experimentId: string, username: string, options?: RequestOptions): Promise<void> {
    check("experiment_id", experimentId, username);
    await this.generation.pick<unknown>(
      () => this.revoke(experimentId, username, options),
      () => this.store.call("auth.experimentPermissions.delete", { experiment_id: experimentId, username }, options),
    );
  }
}

/**
 * `client.auth.registeredModelPermissions`: one user's permission on one registered model (by
 * name). READ reads, EDIT also registers versions and sets aliases, MANAGE also deletes and grants.
 *
 * @example
 * await client.auth.registeredModelPermissions.create("churn", "ci-bot", "EDIT");
 */
export class RegisteredModelPermissions extends ResourcePermissions {
  protected readonly resourceType = "registered_model";

  /**
   * Grants `permission` on the registered model to the user.
   * @throws {ValidationError} for an empty name or username, or an unknown permission.
   * @throws {AlreadyExistsError} when the user already has a grant there.
   * @throws {NotFoundError} when the user (or, before 3.13, the model) does not exist.
   */
  async create(name: string, username: string, permission: GrantablePermission, options?: RequestOptions): Promise<RegisteredModelPermission> {
    check("name", name, username, permission);
    await this.withLevel(
      permission,
      () =>
        this.generation.pick<unknown>(
          () => this.grant(name, username, permission, options),
          () => this.store.call("auth.registeredModelPermissions.create", { name, username, permission }, options),
        ),
      options,
    );
    return { name, username, permission };
  }

  /**
   * The user's permission on the registered model (MLflow 3.13+: effective, default included; before: the explicit grant).
   * @throws {NotFoundError} when the user does not exist (before 3.13: or has no grant there).
   */
  async get(name: string, username: string, options?: RequestOptions): Promise<RegisteredModelPermission> {
    check("name", name, username);
    const permission = await this.generation.pick(
      () => this.effective(name, username, options),
      async () => (await this.store.call("auth.registeredModelPermissions.get", { name, username }, options)).registered_model_permission.permission,
    );
    return { name, username, permission };
  }

  /**
   * Changes the user's permission on the registered model (MLflow 3.13+: revoke and grant again).
   * @throws {NotFoundError} when the user does not exist (before 3.13: or has no grant there).
   */
  async update(name: string, username: string, permission: GrantablePermission, options?: RequestOptions): Promise<RegisteredModelPermission> {
    check("name", name, username, permission);
    await this.withLevel(
      permission,
      () =>
        this.generation.pick<unknown>(
          () => this.regrant(name, username, permission, options),
          () => this.store.call("auth.registeredModelPermissions.update", { name, username, permission }, options),
        ),
      options,
    );
    return { name, username, permission };
  }

  /**
   * Removes the user's grant on the registered model.
   * @throws {NotFoundError} when there is no such grant or user.
   */
  async delete(name: string, username: string, options?: RequestOptions): Promise<void> {
    check("name", name, username);
    await this.generation.pick<unknown>(
      () => this.revoke(name, username, options),
      () => this.store.call("auth.registeredModelPermissions.delete", { name, username }, options),
    );
  }
}

/** The permission levels not every release has, and the feature that dates each. */
const LEVEL_FEATURES: Partial<Record<GrantablePermission, ServerFeature>> = { USE: "use-permission", DENY: "deny-permission" };

/** The server's refusal of a level it does not know: "Invalid permission 'DENY'. Valid permissions are: (…)". */
function isInvalidPermission(error: unknown, permission: string): boolean {
  return error instanceof InvalidParameterError && error.serverMessage.includes(`Invalid permission '${permission}'`);
}

function check(idKey: string, id: string, username: string, permission?: string): void {
  validatePathId(idKey, id);
  checkUsername(username);
  if (permission !== undefined && !(AUTH_PERMISSIONS as readonly string[]).includes(permission)) {
    throw new ValidationError(
      "permission",
      "auth-permission",
      `Permission ${JSON.stringify(permission)} is not one of MLflow's. Fix: use READ (read), EDIT (read and write), MANAGE (also delete and grant), USE or DENY.`,
    );
  }
}
