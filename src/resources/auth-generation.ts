/**
 * Which generation of the basic-auth permission API a server speaks. MLflow 3.13 replaced the
 * per-resource rows (`experiments/permissions/create|get|update|delete`, and the same for
 * registered models, MLflow 2.x to 3.12) with per-user grants through roles
 * (`/api/3.0/mlflow/users/permissions/grant|get|revoke|list`). The SDK asks the new API first and
 * falls back for good, per client, when the server answers that the route does not exist.
 */
import { NotFoundError } from "../core/errors.js";
import { UnsupportedFeatureError } from "../protocol/unsupported-feature-error.js";

/**
 * Remembers, per client, whether the server has the role-based permission API.
 * @internal
 */
export class AuthApiGeneration {
  #legacy: boolean | undefined;

  /**
   * Runs `roles` (MLflow 3.13's API) unless the server is known to lack it; runs `legacy` when it
   * does, and from then on.
   * @example
   * await generation.pick(() => store.call("auth.permissions.revoke", req), () => store.call("auth.experimentPermissions.delete", old));
   */
  async pick<T>(roles: () => Promise<T>, legacy: () => Promise<T>): Promise<T> {
    if (this.#legacy === true) return legacy();
    try {
      const result = await roles();
      this.#legacy = false;
      return result;
    } catch (error) {
      if (this.#legacy === undefined && isMissingRoute(error)) {
        this.#legacy = true;
        return legacy();
      }
      throw error;
    }
  }
}

/**
 * The grant route missing: the REST store's typed error for it (the server's version is before
 * 3.13), or a bare 404 for the route itself (`ENDPOINT_NOT_FOUND`, an HTML 404) when the version
 * did not say — never a 404 for a user or resource.
 */
function isMissingRoute(error: unknown): boolean {
  if (error instanceof UnsupportedFeatureError) return error.feature === "permission-grants";
  return error instanceof NotFoundError && error.errorCode === "ENDPOINT_NOT_FOUND";
}
