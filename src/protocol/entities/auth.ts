/**
 * The basic-auth app's entities (`mlflow server --app-name basic-auth`): users and the
 * permissions a user holds on an experiment or a registered model, with the wire names of
 * `mlflow/server/auth/entities.py`. Both generations of the API are here: the per-user grants of
 * MLflow 3.13+ (`users/permissions/grant|get|revoke`, role-based) and the per-resource permission
 * rows of MLflow 2.x to 3.12 (`experiments/permissions/*`,
 * `registered-models/permissions/*`).
 */
import { z } from "zod";

/**
 * Permission levels, lowest first, as `mlflow/server/auth/permissions.py` names them: READ reads,
 * USE reads and uses (MLflow 3.9+), EDIT also writes, MANAGE also deletes and grants;
 * NO_PERMISSIONS and DENY (MLflow 3.17+, an explicit refusal) allow nothing.
 */
export const AUTH_PERMISSIONS = ["NO_PERMISSIONS", "READ", "USE", "EDIT", "MANAGE", "DENY"] as const;
/** A permission level of the basic-auth app, e.g. `"EDIT"`. */
export type AuthPermission = (typeof AUTH_PERMISSIONS)[number];
/** The levels a grant may name (MLflow 3.13+ refuses NO_PERMISSIONS on a resource: no grant plus the default means no access). */
export type GrantablePermission = Exclude<AuthPermission, "NO_PERMISSIONS">;

const permissionSchema = z.enum(AUTH_PERMISSIONS);

/** `experiments/permissions/get|create` before MLflow 3.13: the explicit row (`user_id` is the numeric user id). */
export const legacyExperimentPermissionSchema = z.object({ experiment_id: z.string(), user_id: z.number(), permission: permissionSchema });
/** `registered-models/permissions/get|create` before MLflow 3.13. */
export const legacyRegisteredModelPermissionSchema = z.object({ name: z.string(), user_id: z.number(), permission: permissionSchema });

/** A user as `users/get` returns it (the password hash never leaves the server). */
export const authUserSchema = z.object({
  id: z.number(),
  username: z.string(),
  is_admin: z.boolean(),
  /** Servers before MLflow 3.13 only: the user's explicit experiment permissions. */
  experiment_permissions: z.array(legacyExperimentPermissionSchema).optional(),
  /** Servers before MLflow 3.13 only: the user's explicit registered-model permissions. */
  registered_model_permissions: z.array(legacyRegisteredModelPermissionSchema).optional(),
});
/** A user of the basic-auth app. */
export type AuthUser = z.infer<typeof authUserSchema>;

/** A user's permission on an experiment, as the SDK returns it whatever the server's generation. */
export interface ExperimentPermission {
  experiment_id: string;
  username: string;
  permission: AuthPermission;
}

/** A user's permission on a registered model, as the SDK returns it whatever the server's generation. */
export interface RegisteredModelPermission {
  name: string;
  username: string;
  permission: AuthPermission;
}

/** `users/permissions/get` (MLflow 3.13+): the effective permission (the server's default included) and whether it allows use. */
export const userPermissionResultSchema = z.object({ allowed: z.boolean(), permission: permissionSchema });

/** One grant of `users/permissions/list` (MLflow 3.13+): a permission on a resource (or `*`), through one of the user's roles. */
export const userPermissionRowSchema = z.object({
  role_id: z.number(),
  role_name: z.string(),
  workspace: z.string(),
  resource_type: z.string(),
  resource_pattern: z.string(),
  permission: permissionSchema,
});
/** One grant a user holds, through a role (the user's own role is named `__user_<id>__`). */
export type UserPermissionRow = z.infer<typeof userPermissionRowSchema>;
