/**
 * client.auth: the basic-auth admin API over both generations of MLflow's permission API (3.13's
 * per-user grants, and the per-resource rows before it), the permission levels an older server
 * lacks (USE before 3.9, DENY before 3.17) as UnsupportedFeatureError, passwords kept out of every
 * error, and the 403 of any RPC explained from the request (operation, resource, permission, the grant).
 */
import { inspect } from "node:util";
import { HttpResponse } from "msw";
import { describe, expect, it } from "vitest";
import {
  AlreadyExistsError,
  InvalidParameterError,
  NotFoundError,
  PermissionDeniedError,
  UnsupportedFeatureError,
  ValidationError,
} from "../../../src/index.js";
import { API, BASE, mlflowError, record, testClient, useMockServer } from "../helpers/mock-server.js";

const server = useMockServer();
const API3 = `${BASE}/api/3.0/mlflow`;
const forbidden = (): Response => new HttpResponse("Permission denied", { status: 403, headers: { "Content-Type": "text/html" } });
const missingRoute = (): Response => new HttpResponse("<!doctype html><title>404 Not Found</title>", { status: 404, headers: { "Content-Type": "text/html" } });
/** `GET /version` answering `version` as MLflow does (text/plain). */
const versionIs = (version: string) => record(server, "get", `${BASE}/version`, () => new HttpResponse(version, { headers: { "content-type": "text/plain" } }));
/** What a server answers for a level it does not know (mlflow/server/auth/permissions.py, `_validate_permission`). */
const invalidPermission = (permission: string, valid: string) => () =>
  mlflowError(400, "INVALID_PARAMETER_VALUE", `Invalid permission '${permission}'. Valid permissions are: (${valid})`);

describe("client.auth.users", () => {
  it("creates a user with the password in the JSON body and returns the user", async () => {
    const seen = record(server, "post", `${API}/users/create`, () => ({ user: { id: 7, username: "ci-bot", is_admin: false } }));
    const user = await testClient().auth.users.create("ci-bot", "a-long-enough-password");
    expect(user).toEqual({ id: 7, username: "ci-bot", is_admin: false });
    expect(seen.map((r) => r.body)).toEqual([{ username: "ci-bot", password: "a-long-enough-password" }]);
  });

  it("keeps the password out of the message, stack and inspect output when the server echoes it", async () => {
    const password = "hunter2-but-longer";
    record(server, "post", `${API}/users/create`, () => mlflowError(400, "INVALID_PARAMETER_VALUE", `bad password ${password}`));
    const error = await testClient()
      .auth.users.create("ci-bot", password)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidParameterError);
    for (const text of [(error as Error).message, String((error as Error).stack), inspect(error, { depth: 6 }), JSON.stringify(error)]) {
      expect(text).toContain("bad password");
      expect(text).not.toContain(password);
    }
  });

  it("refuses an empty username or password before sending anything", async () => {
    const seen = record(server, "post", `${API}/users/create`);
    const client = testClient();
    await expect(client.auth.users.create(" ", "pw-pw-pw-pw-pw")).rejects.toMatchObject({ key: "username", rule: "auth-username" });
    await expect(client.auth.users.create("ci-bot", "")).rejects.toMatchObject({ key: "password", rule: "auth-password" });
    await expect(client.auth.users.create("ci-bot", "")).rejects.toThrow(/Fix: /);
    expect(seen).toHaveLength(0);
  });

  it("updates a password and the admin flag with PATCH, deletes with DELETE and a JSON body, as the Python client does", async () => {
    const password = record(server, "patch", `${API}/users/update-password`);
    const admin = record(server, "patch", `${API}/users/update-admin`);
    const deleted = record(server, "delete", `${API}/users/delete`);
    const client = testClient();
    await client.auth.users.updatePassword("ci-bot", "new-password-123");
    await client.auth.users.updatePassword("me", "new-password-456", { currentPassword: "old-password-789" });
    await client.auth.users.updateAdmin("ci-bot", true);
    await client.auth.users.delete("ci-bot");
    expect(password.map((r) => r.body)).toEqual([
      { username: "ci-bot", password: "new-password-123" },
      { username: "me", password: "new-password-456", current_password: "old-password-789" },
    ]);
    expect(admin.map((r) => r.body)).toEqual([{ username: "ci-bot", is_admin: true }]);
    expect(deleted.map((r) => r.body)).toEqual([{ username: "ci-bot" }]);
  });

  it("gets a user by name in the query and answers a missing one with NotFoundError", async () => {
    const seen = record(server, "get", `${API}/users/get`, (req) =>
      req.query.get("username") === "ci-bot"
        ? { user: { id: 7, username: "ci-bot", is_admin: false } }
        : mlflowError(404, "RESOURCE_DOES_NOT_EXIST", "User with username=nobody not found"),
    );
    expect(await testClient().auth.users.get("ci-bot")).toEqual({ id: 7, username: "ci-bot", is_admin: false });
    await expect(testClient().auth.users.get("nobody")).rejects.toBeInstanceOf(NotFoundError);
    expect(seen).toHaveLength(2);
  });
});

describe("client.auth.experimentPermissions on MLflow 3.17 (per-user grants)", () => {
  it("creates with users/permissions/grant and reads the effective permission with users/permissions/get", async () => {
    const grants = record(server, "post", `${API3}/users/permissions/grant`);
    const gets = record(server, "get", `${API3}/users/permissions/get`, () => ({ allowed: true, permission: "EDIT" }));
    const client = testClient();
    expect(await client.auth.experimentPermissions.create("12", "ci-bot", "EDIT")).toEqual({ experiment_id: "12", username: "ci-bot", permission: "EDIT" });
    expect(await client.auth.experimentPermissions.get("12", "ci-bot")).toEqual({ experiment_id: "12", username: "ci-bot", permission: "EDIT" });
    expect(grants.map((r) => r.body)).toEqual([{ username: "ci-bot", resource_type: "experiment", resource_id: "12", permission: "EDIT" }]);
    expect(Object.fromEntries(gets[0]!.query)).toEqual({ username: "ci-bot", resource_type: "experiment", resource_id: "12" });
  });

  it("updates by revoking and granting again, and grants when there was nothing to revoke", async () => {
    const revokes = record(server, "post", `${API3}/users/permissions/revoke`, (_req, n) =>
      n === 1 ? {} : mlflowError(404, "RESOURCE_DOES_NOT_EXIST", "Permission for user=ci-bot not found."),
    );
    const grants = record(server, "post", `${API3}/users/permissions/grant`);
    const client = testClient();
    await client.auth.registeredModelPermissions.update("churn", "ci-bot", "MANAGE");
    await client.auth.registeredModelPermissions.update("churn", "ci-bot", "READ");
    expect(revokes.map((r) => r.body)).toEqual([
      { username: "ci-bot", resource_type: "registered_model", resource_id: "churn" },
      { username: "ci-bot", resource_type: "registered_model", resource_id: "churn" },
    ]);
    expect(grants.map((r) => (r.body as { permission: string }).permission)).toEqual(["MANAGE", "READ"]);
  });

  it("deletes with users/permissions/revoke, and a second grant is AlreadyExistsError", async () => {
    const revokes = record(server, "post", `${API3}/users/permissions/revoke`);
    record(server, "post", `${API3}/users/permissions/grant`, () => mlflowError(400, "RESOURCE_ALREADY_EXISTS", "Permission for user=ci-bot already exists."));
    const client = testClient();
    await client.auth.experimentPermissions.delete("12", "ci-bot");
    expect(revokes).toHaveLength(1);
    await expect(client.auth.experimentPermissions.create("12", "ci-bot", "READ")).rejects.toBeInstanceOf(AlreadyExistsError);
  });

  it("refuses a permission MLflow does not have before sending", async () => {
    const seen = record(server, "post", `${API3}/users/permissions/grant`);
    const error = await testClient()
      .auth.experimentPermissions.create("12", "ci-bot", "WRITE" as "EDIT")
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ key: "permission", rule: "auth-permission" });
    expect((error as Error).message).toMatch(/"WRITE" is not one of MLflow's\. Fix: use READ/);
    expect(seen).toHaveLength(0);
  });

  it("lists a user's grants with users/permissions/list", async () => {
    record(server, "get", `${API3}/users/permissions/list`, () => ({
      is_admin: false,
      permissions: [{ role_id: 3, role_name: "__user_7__", workspace: "default", resource_type: "experiment", resource_pattern: "12", permission: "EDIT" }],
    }));
    expect(await testClient().auth.users.permissions("ci-bot")).toEqual({
      username: "ci-bot",
      is_admin: false,
      grants: [{ resource_type: "experiment", resource_id: "12", permission: "EDIT", role: "__user_7__", workspace: "default" }],
    });
  });
});

describe("client.auth on servers before MLflow 3.13 (per-resource permission rows)", () => {
  it("falls back to experiments/permissions/* once the grant route is missing, and stays there", async () => {
    const probes = versionIs("2.22.5");
    const grants = record(server, "post", `${API3}/users/permissions/grant`, missingRoute);
    const creates = record(server, "post", `${API}/experiments/permissions/create`, () => ({
      experiment_permission: { experiment_id: "12", user_id: 7, permission: "EDIT" },
    }));
    const updates = record(server, "patch", `${API}/experiments/permissions/update`);
    const gets = record(server, "get", `${API}/experiments/permissions/get`, () => ({
      experiment_permission: { experiment_id: "12", user_id: 7, permission: "MANAGE" },
    }));
    const deletes = record(server, "delete", `${API}/experiments/permissions/delete`);
    const client = testClient();
    await client.auth.experimentPermissions.create("12", "ci-bot", "EDIT");
    await client.auth.experimentPermissions.update("12", "ci-bot", "MANAGE");
    expect((await client.auth.experimentPermissions.get("12", "ci-bot")).permission).toBe("MANAGE");
    await client.auth.experimentPermissions.delete("12", "ci-bot");
    expect(grants).toHaveLength(1);
    expect(probes).toHaveLength(1); // the missing route is dated once: per-user grants need 3.13
    expect(creates.map((r) => r.body)).toEqual([{ experiment_id: "12", username: "ci-bot", permission: "EDIT" }]);
    expect(updates.map((r) => r.body)).toEqual([{ experiment_id: "12", username: "ci-bot", permission: "MANAGE" }]);
    expect(Object.fromEntries(gets[0]!.query)).toEqual({ experiment_id: "12", username: "ci-bot" });
    expect(deletes.map((r) => r.body)).toEqual([{ experiment_id: "12", username: "ci-bot" }]);
  });

  it("uses registered-models/permissions/* and lists grants from users/get", async () => {
    versionIs("2.14.3");
    record(server, "get", `${API3}/users/permissions/list`, missingRoute);
    const creates = record(server, "post", `${API}/registered-models/permissions/create`, () => ({
      registered_model_permission: { name: "churn", user_id: 7, permission: "READ" },
    }));
    record(server, "get", `${API}/users/get`, () => ({
      user: {
        id: 7,
        username: "ci-bot",
        is_admin: false,
        experiment_permissions: [{ experiment_id: "12", user_id: 7, permission: "EDIT" }],
        registered_model_permissions: [{ name: "churn", user_id: 7, permission: "READ" }],
      },
    }));
    const client = testClient();
    expect((await client.auth.users.permissions("ci-bot")).grants).toEqual([
      { resource_type: "experiment", resource_id: "12", permission: "EDIT" },
      { resource_type: "registered_model", resource_id: "churn", permission: "READ" },
    ]);
    await client.auth.registeredModelPermissions.create("churn", "ci-bot", "READ");
    expect(creates.map((r) => r.body)).toEqual([{ name: "churn", username: "ci-bot", permission: "READ" }]);
  });

  it("falls back too when the server does not say its version (the route's own 404 decides)", async () => {
    record(server, "get", `${BASE}/version`, () => new HttpResponse("<html>proxy</html>", { status: 404, headers: { "content-type": "text/html" } }));
    record(server, "post", `${API3}/users/permissions/grant`, missingRoute);
    const creates = record(server, "post", `${API}/experiments/permissions/create`, () => ({
      experiment_permission: { experiment_id: "12", user_id: 7, permission: "READ" },
    }));
    await testClient().auth.experimentPermissions.create("12", "ci-bot", "READ");
    expect(creates).toHaveLength(1);
  });

  it("answers a direct call of the per-user grant API with UnsupportedFeatureError naming 3.13 and the server's version", async () => {
    versionIs("3.0.1");
    record(server, "get", `${API3}/users/permissions/list`, missingRoute);
    const error = await testClient()
      .store.call("auth.permissions.list", { username: "ci-bot" })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnsupportedFeatureError);
    expect(error).toMatchObject({ feature: "permission-grants", minVersion: "3.13", serverVersion: "3.0.1" });
    expect((error as Error).message).toMatch(
      /^Per-user permission grants needs MLflow ≥ 3\.13; the server at \S+ runs 3\.0\.1\. Fix: upgrade .*client\.auth\.experimentPermissions/,
    );
  });

  it("refuses USE before 3.9 with UnsupportedFeatureError naming the level, the server's version and 3.9", async () => {
    versionIs("2.22.5");
    record(server, "post", `${API3}/users/permissions/grant`, missingRoute);
    record(server, "post", `${API}/experiments/permissions/create`, invalidPermission("USE", "'READ', 'EDIT', 'MANAGE', 'NO_PERMISSIONS'"));
    record(server, "patch", `${API}/registered-models/permissions/update`, invalidPermission("USE", "'READ', 'EDIT', 'MANAGE', 'NO_PERMISSIONS'"));
    const client = testClient();
    for (const call of [
      () => client.auth.experimentPermissions.create("12", "ci-bot", "USE"),
      () => client.auth.registeredModelPermissions.update("churn", "ci-bot", "USE"),
    ]) {
      const error = await call().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UnsupportedFeatureError);
      expect(error).toMatchObject({ feature: "use-permission", minVersion: "3.9", serverVersion: "2.22.5" });
      expect((error as Error).message).toMatch(
        /^The USE permission needs MLflow ≥ 3\.9; the server at \S+ runs 2\.22\.5\. Fix: upgrade the server to MLflow 3\.9 or later, or grant READ/,
      );
      expect((error as Error).cause).toBeInstanceOf(InvalidParameterError);
    }
  });

  it("refuses DENY before 3.17 (a 3.16 server's grant) with UnsupportedFeatureError naming 3.17", async () => {
    versionIs("3.16.1");
    record(server, "post", `${API3}/users/permissions/grant`, invalidPermission("DENY", "'READ', 'USE', 'EDIT', 'MANAGE', 'NO_PERMISSIONS'"));
    const error = await testClient()
      .auth.experimentPermissions.create("12", "ci-bot", "DENY")
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ constructor: UnsupportedFeatureError, feature: "deny-permission", minVersion: "3.17", serverVersion: "3.16.1" });
  });

  it("keeps the server's InvalidParameterError when its version has the level, or the refusal is about something else", async () => {
    versionIs("3.17.2");
    record(server, "post", `${API3}/users/permissions/grant`, invalidPermission("DENY", "'READ'"));
    const client = testClient();
    await expect(client.auth.experimentPermissions.create("12", "ci-bot", "DENY")).rejects.toMatchObject({ constructor: InvalidParameterError });
    record(server, "post", `${API3}/users/permissions/grant`, () => mlflowError(400, "INVALID_PARAMETER_VALUE", "Resource id is too long"));
    await expect(client.auth.experimentPermissions.create("12", "ci-bot", "USE")).rejects.toMatchObject({ constructor: InvalidParameterError });
  });

  it("does not fall back when the user is missing (a JSON 404 is not a missing route)", async () => {
    record(server, "post", `${API3}/users/permissions/grant`, () => mlflowError(404, "RESOURCE_DOES_NOT_EXIST", "User with username=nobody not found"));
    await expect(testClient().auth.experimentPermissions.create("12", "nobody", "READ")).rejects.toMatchObject({
      constructor: NotFoundError,
      errorCode: "RESOURCE_DOES_NOT_EXIST",
    });
  });
});

describe("403 from the basic-auth app, on any RPC", () => {
  const reader = { auth: { username: "reader", password: "reader-secret-pw" } };

  it("names the user, the operation, the experiment, EDIT and the grant command for a write", async () => {
    const seen = record(server, "post", `${API}/runs/create`, forbidden);
    const error = await testClient({ ...reader, maxRetries: 3 })
      .runs.create({ experiment_id: "12" })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PermissionDeniedError);
    expect(error).toMatchObject({ status: 403, errorCode: "PERMISSION_DENIED", retryable: false, resource: "experiment 12", requiredPermission: "EDIT" });
    expect((error as Error).message).toBe(
      'PERMISSION_DENIED: Permission denied (HTTP 403, POST /api/2.0/mlflow/runs/create). User "reader" may not create a run in experiment 12: it needs EDIT permission. ' +
        "Fix: ask an admin to run `mlflow-ts auth grant experiment 12 reader EDIT`, or use a user that has EDIT on it.",
    );
    expect((error as Error).message).not.toContain("reader-secret-pw");
    expect(seen).toHaveLength(1);
  });

  it("asks MANAGE for a delete and READ for a read, and names a registered model by name", async () => {
    record(server, "post", `${API}/experiments/delete`, forbidden);
    record(server, "get", `${API}/registered-models/get`, forbidden);
    const client = testClient(reader);
    await expect(client.experiments.delete("12")).rejects.toMatchObject({
      requiredPermission: "MANAGE",
      message: expect.stringMatching(/may not delete experiment 12: it needs MANAGE/),
    });
    await expect(client.registeredModels.get("churn")).rejects.toMatchObject({
      resource: 'registered model "churn"',
      requiredPermission: "READ",
      message: expect.stringContaining('`mlflow-ts auth grant model "churn" reader READ`'),
    });
  });

  it("points a refused run write at the run's experiment, and says the run may not exist", async () => {
    record(server, "post", `${API}/runs/log-batch`, forbidden);
    const error = await testClient(reader)
      .runs.logBatch("0123456789abcdef0123456789abcdef", { params: { lr: 0.1 } })
      .catch((e: unknown) => e);
    expect((error as Error).message).toMatch(
      /may not log to the experiment of run 0123456789abcdef0123456789abcdef: it needs EDIT permission\. Fix: .*does not exist/,
    );
  });

  it("says an admin is needed for user administration, and `<user>` when the client has no basic credentials", async () => {
    record(server, "post", `${API}/users/create`, forbidden);
    const error = await testClient({ auth: { token: "tok-secret-123456" } })
      .auth.users.create("x", "password-password")
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ requiredPermission: "admin", resource: "the server's users" });
    expect((error as Error).message).toMatch(/This user may not administer the server's users: it takes an admin\. Fix: use an admin account/);
  });

  it("leaves a 403 that is not the auth app's alone (a proxy's, the host check)", async () => {
    record(server, "get", `${API}/experiments/get`, () => new HttpResponse("Invalid Host header - possible DNS rebinding attack detected", { status: 403 }));
    const error = await testClient()
      .experiments.get("12")
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PermissionDeniedError);
    expect(error).toMatchObject({ resource: undefined, requiredPermission: undefined });
    expect((error as Error).message).toBe(
      "PERMISSION_DENIED: Invalid Host header - possible DNS rebinding attack detected (HTTP 403, GET /api/2.0/mlflow/experiments/get)",
    );
  });
});
