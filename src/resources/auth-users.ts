/**
 * `client.auth.users`: the users of a server started with `--app-name basic-auth` (create, get,
 * change a password, make or unmake an admin, delete, list what a user may do). Admin calls: the
 * client's own credentials must be an admin's (a user may read itself and change its own
 * password). Passwords are registered as secrets before any request, so no error, log line or
 * stack shows them.
 */
import { ValidationError } from "../core/errors.js";
import type { RequestOptions } from "../core/http/transport.js";
import { registerSecret } from "../core/redact.js";
import type { AuthPermission, AuthUser } from "../protocol/entities/auth.js";
import type { TrackingStore } from "../store/tracking-store.js";
import type { AuthApiGeneration } from "./auth-generation.js";
import { APIResource } from "./resource.js";

/** One permission a user holds, as {@link AuthUsers.permissions} lists it. */
export interface UserGrant {
  /** `experiment`, `registered_model`, or on MLflow 3.17 any type the server has (`scorer`, `run`…). */
  resource_type: string;
  /** The experiment id, the model name, or `*` for every resource of the type. */
  resource_id: string;
  permission: AuthPermission;
  /** The role it comes from (MLflow 3.17; the user's own grants are on role `__user_<id>__`). */
  role?: string | undefined;
  /** The workspace of that role (MLflow 3.17). */
  workspace?: string | undefined;
}

/** What a user may do: admin or not, and each explicit grant (the server's `default_permission` applies to the rest). */
export interface UserPermissions {
  username: string;
  is_admin: boolean;
  grants: UserGrant[];
}

/**
 * The users of the basic-auth app.
 *
 * @example
 * const password = readFileSync("/run/secrets/ci-bot-password", "utf8").trim();
 * await client.auth.users.create("ci-bot", password);
 * await client.auth.experimentPermissions.create(experimentId, "ci-bot", "EDIT");
 */
export class AuthUsers extends APIResource {
  readonly #generation: AuthApiGeneration;

  /** @internal */
  constructor(store: TrackingStore, generation: AuthApiGeneration) {
    super(store);
    this.#generation = generation;
  }

  /**
   * Creates a user (not an admin: see {@link AuthUsers.updateAdmin}). Not retried after an
   * ambiguous failure; a retry that finds the user answers {@link AlreadyExistsError}.
   * @throws {ValidationError} for an empty username or password (rules `auth-username`, `auth-password`).
   * @throws {AlreadyExistsError} when the user exists.
   * @throws {InvalidParameterError} when the server refuses the password (MLflow 3.17: under 12 characters).
   * @throws {PermissionDeniedError} when the client's user is not an admin.
   */
  async create(username: string, password: string, options?: RequestOptions): Promise<AuthUser> {
    checkUsername(username);
    checkPassword(password);
    return (await this.store.call("auth.users.create", { username, password }, options)).user;
  }

  /**
   * Gets a user: id, name, admin or not.
   * @throws {NotFoundError} when there is no such user.
   */
  async get(username: string, options?: RequestOptions): Promise<AuthUser> {
    checkUsername(username);
    return (await this.store.call("auth.users.get", { username }, options)).user;
  }

  /**
   * Sets a user's password. An admin changing another user's password needs nothing else; a user
   * changing its own gives `currentPassword` (MLflow 3.17 asks for it).
   * @throws {ValidationError} for an empty username or password.
   * @throws {NotFoundError} when there is no such user.
   * @throws {InvalidParameterError} when the server refuses the password or the current one.
   */
  async updatePassword(username: string, password: string, params: { currentPassword?: string | undefined } = {}, options?: RequestOptions): Promise<void> {
    checkUsername(username);
    checkPassword(password);
    registerSecret(params.currentPassword);
    const current = params.currentPassword === undefined ? {} : { current_password: params.currentPassword };
    await this.store.call("auth.users.updatePassword", { username, password, ...current }, options);
  }

  /**
   * Makes a user an admin (`true`) or a plain user (`false`).
   * @throws {NotFoundError} when there is no such user.
   */
  async updateAdmin(username: string, isAdmin: boolean, options?: RequestOptions): Promise<void> {
    checkUsername(username);
    await this.store.call("auth.users.updateAdmin", { username, is_admin: isAdmin }, options);
  }

  /**
   * Deletes a user and its permissions. The server refuses to delete the caller's own account.
   * @throws {NotFoundError} when there is no such user.
   * @throws {InvalidParameterError} when it is the client's own user (MLflow 3.17).
   */
  async delete(username: string, options?: RequestOptions): Promise<void> {
    checkUsername(username);
    await this.store.call("auth.users.delete", { username }, options);
  }

  /**
   * What a user may do: whether it is an admin and each explicit grant. On MLflow 3.13+
   * (`users/permissions/list`) every grant of every role the user holds; on older servers the
   * experiment and registered-model rows that `users/get` returns.
   * @throws {NotFoundError} when there is no such user.
   * @example
   * const { is_admin, grants } = await client.auth.users.permissions("ci-bot");
   */
  async permissions(username: string, options?: RequestOptions): Promise<UserPermissions> {
    checkUsername(username);
    return this.#generation.pick(
      async () => {
        const res = await this.store.call("auth.permissions.list", { username }, options);
        const grants = res.permissions.map((row) => ({
          resource_type: row.resource_type,
          resource_id: row.resource_pattern,
          permission: row.permission,
          role: row.role_name,
          workspace: row.workspace,
        }));
        return { username, is_admin: res.is_admin, grants };
      },
      async () => {
        const { user } = await this.store.call("auth.users.get", { username }, options);
        const grants: UserGrant[] = [
          ...(user.experiment_permissions ?? []).map((p) => ({ resource_type: "experiment", resource_id: p.experiment_id, permission: p.permission })),
          ...(user.registered_model_permissions ?? []).map((p) => ({ resource_type: "registered_model", resource_id: p.name, permission: p.permission })),
        ];
        return { username, is_admin: user.is_admin, grants };
      },
    );
  }
}

/**
 * Refuses an empty username before any request.
 * @internal
 */
export function checkUsername(username: string): void {
  if (typeof username !== "string" || username.trim() === "") {
    throw new ValidationError("username", "auth-username", "The username is empty. Fix: give the name of a user of the basic-auth app, e.g. ci-bot.");
  }
}

function checkPassword(password: string): void {
  if (typeof password !== "string" || password === "") {
    throw new ValidationError(
      "password",
      "auth-password",
      "The password is empty. Fix: give a non-empty password (the CLI reads it from --password-stdin or --password-file).",
    );
  }
  registerSecret(password);
}
