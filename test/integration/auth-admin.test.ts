/**
 * The basic-auth admin API end to end on the stack's auth server (`--app-name basic-auth`,
 * `default_permission = READ`): an admin creates a service account with the BUILT `mlflow-ts auth`
 * command and grants it EDIT on one experiment; that account logs a run there with the logger and
 * is refused on another experiment with an error naming the experiment and EDIT; the stack's
 * READ-only user is refused a write with an error naming the resource; MLflow's own admin client
 * (`mlflow.server.get_app_client("basic-auth")`) reads the user and its permissions back; the
 * permission levels and the grant API a release lacks fail with UnsupportedFeatureError; and no
 * password appears in any output. The compat suite runs it on every version's auth server: before
 * MLflow 3.13 (per-resource permission rows) a user without a grant has no permission to `get`
 * (NotFoundError) where 3.13+ answers the server's default.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inspect } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type MlflowClient, NotFoundError, PermissionDeniedError, startRun, UnsupportedFeatureError } from "../../src/index.js";
import { type ServerFeature, serverLacks } from "../../src/protocol/server-features.js";
import { ensureCliBuilt, runBuiltCli } from "./support/cli.js";
import { runPython } from "./support/python.js";
import { serverUri, stackClient, stackClientEnv, stackEnv, stackServerVersion, uniqueName } from "./support/stack.js";

const admin = stackClient("auth");
const bot = uniqueName("ci-bot");
const botPassword = `bot-pw-${uniqueName("secret")}`;
const outputs: string[] = [];
let dir: string;
let granted: { id: string; name: string };
let other: { id: string; name: string };
let botClient: MlflowClient;
/** The auth server's version, as the admin's client learns it. */
let version: string;
const lacks = (feature: ServerFeature): boolean => serverLacks(version, feature) === true;

/** The admin's environment for the built command: the auth server and the admin's credentials. */
function adminEnv(): Record<string, string> {
  return {
    ...stackClientEnv(serverUri("auth")),
    MLFLOW_TRACKING_USERNAME: stackEnv("STACK_AUTH_ADMIN_USER"),
    MLFLOW_TRACKING_PASSWORD: stackEnv("STACK_AUTH_ADMIN_PASSWORD"),
  };
}

async function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const outcome = await runBuiltCli(args, adminEnv());
  outputs.push(outcome.stdout, outcome.stderr);
  return outcome;
}

/** Every text a caller could print about an error: message, stack, JSON, inspect. */
function everyText(error: unknown): string {
  return [String(error), (error as Error).stack ?? "", JSON.stringify(error), inspect(error, { depth: 8 })].join("\n");
}

beforeAll(async () => {
  ensureCliBuilt();
  version = await stackServerVersion(admin);
  dir = await mkdtemp(join(tmpdir(), "auth-admin-"));
  for (const which of ["granted", "other"] as const) {
    const name = uniqueName(`auth-admin-${which}`);
    const experiment = { id: await admin.experiments.create({ name }), name };
    if (which === "granted") granted = experiment;
    else other = experiment;
  }
  botClient = stackClient("auth", { auth: { username: bot, password: botPassword }, maxRetries: 2 });
}, 360_000);

afterAll(async () => {
  await botClient.close();
  await admin.close();
  await rm(dir, { recursive: true, force: true });
});

describe("mlflow-ts auth and client.auth on the real basic-auth server", () => {
  it("creates a service account with the CLI and grants it EDIT on one experiment by name", async () => {
    const passwordFile = join(dir, "bot-password");
    await writeFile(passwordFile, `${botPassword}\n`, { mode: 0o600 });
    const created = await cli(["auth", "users", "create", bot, "--password-file", passwordFile]);
    expect(created.stderr).toBe("");
    expect(created.stdout).toMatch(new RegExp(`^Created user ${bot} \\(id \\d+\\)\\.\\n$`));
    expect(created.code).toBe(0);

    const grant = await cli(["auth", "grant", "experiment", granted.name, bot, "EDIT"]);
    expect(grant.stdout).toBe(`Granted EDIT on experiment ${granted.id} (${JSON.stringify(granted.name)}) to ${bot}.\n`);
    expect(grant.code).toBe(0);
    // Granting again replaces the grant instead of failing: a CI job may run the same set-up twice.
    expect((await cli(["auth", "grant", "experiment", granted.id, bot, "EDIT"])).code).toBe(0);

    expect(await admin.auth.experimentPermissions.get(granted.id, bot)).toEqual({ experiment_id: granted.id, username: bot, permission: "EDIT" });
    const listed = JSON.parse((await cli(["auth", "permissions", bot, "--json"])).stdout);
    expect(listed).toMatchObject({ username: bot, is_admin: false, grants: [{ resource_type: "experiment", resource_id: granted.id, permission: "EDIT" }] });
  });

  it("lets the service account log a run there with the logger", async () => {
    let runId = "";
    {
      await using run = await startRun({ client: botClient, experimentId: granted.id, runName: "ci" });
      runId = run.runId;
      run.logParams({ lr: 0.01 });
      for (let step = 0; step < 5; step++) run.logMetric("loss", 1 / (step + 1), { step });
    }
    const stored = await admin.runs.get(runId);
    expect(stored.info.status).toBe("FINISHED");
    expect(stored.info.experiment_id).toBe(granted.id);
    expect(stored.data.params).toEqual([{ key: "lr", value: "0.01" }]);
    expect(stored.data.metrics).toEqual([expect.objectContaining({ key: "loss", value: 0.2, step: 4 })]);
  });

  it("refuses the service account on another experiment with an error naming that experiment and EDIT", async () => {
    const error = await startRun({ client: botClient, experimentId: other.id }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PermissionDeniedError);
    expect(error).toMatchObject({ status: 403, resource: `experiment ${other.id}`, requiredPermission: "EDIT" });
    expect((error as Error).message).toContain(`User "${bot}" may not create a run in experiment ${other.id}: it needs EDIT permission.`);
    expect((error as Error).message).toContain(`Fix: ask an admin to run \`mlflow-ts auth grant experiment ${other.id} ${bot} EDIT\``);
    expect(everyText(error)).not.toContain(botPassword);
  });

  it("refuses the READ-only user's write with an error naming the resource", async () => {
    const readerPassword = stackEnv("STACK_AUTH_READER_PASSWORD");
    const reader = stackClient("auth", { auth: { username: stackEnv("STACK_AUTH_READER_USER"), password: readerPassword }, maxRetries: 2 });
    try {
      const error = await reader.experiments.setTag(granted.id, "by", "reader").catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PermissionDeniedError);
      expect((error as Error).message).toContain(`may not write to experiment ${granted.id}: it needs EDIT permission`);
      expect(everyText(error)).not.toContain(readerPassword);
      const admin403 = await reader.auth.users.create(uniqueName("nope"), "a-password-long-enough").catch((e: unknown) => e);
      expect(admin403).toMatchObject({ requiredPermission: "admin", resource: "the server's users" });
    } finally {
      await reader.close();
    }
  });

  it("MLflow's own admin client reads the user and its permissions back", async () => {
    const read = await runPython<{ user: { username: string; is_admin: boolean }; experiments: Record<string, string> }>(
      "test/integration/auth-admin-read.py",
      { username: bot, experiment_ids: [granted.id, other.id] },
      adminEnv(),
    );
    // The other experiment has no grant: 3.13+ answers the server's default_permission (READ); older
    // servers the explicit row only, which it does not have.
    const noGrant = lacks("permission-grants") ? null : "READ";
    expect(read).toEqual({ user: { username: bot, is_admin: false }, experiments: { [granted.id]: "EDIT", [other.id]: noGrant } });
  });

  it("grants USE and DENY where the server has them, else fails with UnsupportedFeatureError naming the level and both versions", async () => {
    for (const [permission, feature] of [
      ["USE", "use-permission"],
      ["DENY", "deny-permission"],
    ] as const) {
      const outcome = await admin.auth.experimentPermissions.update(other.id, bot, permission).catch((e: unknown) => e);
      if (lacks(feature)) {
        expect(outcome).toBeInstanceOf(UnsupportedFeatureError);
        expect(outcome).toMatchObject({ feature, serverVersion: version });
        expect((outcome as Error).message).toMatch(
          new RegExp(`^The ${permission} permission needs MLflow ≥ \\d+\\.\\d+; the server at \\S+ runs ${version.replaceAll(".", "\\.")}\\. Fix: `),
        );
      } else {
        expect(outcome).toEqual({ experiment_id: other.id, username: bot, permission });
        expect((await admin.auth.experimentPermissions.get(other.id, bot)).permission).toBe(permission);
      }
    }
    // The per-user grant API itself (what client.auth falls back from): typed where it is missing.
    const listed = await admin.store.call("auth.permissions.list", { username: bot }).catch((e: unknown) => e);
    if (lacks("permission-grants")) expect(listed).toMatchObject({ name: "UnsupportedFeatureError", feature: "permission-grants", serverVersion: version });
    else expect(listed).toMatchObject({ is_admin: false });
    await admin.auth.experimentPermissions.delete(other.id, bot).catch((e: unknown) => (e instanceof NotFoundError ? undefined : Promise.reject(e)));
  });

  it("revokes the grant and deletes the user with the CLI, and no password appeared in any output", async () => {
    expect((await cli(["auth", "revoke", "experiment", granted.id, bot])).code).toBe(0);
    // No grant left: 3.13+ answers the server's default (READ), older servers that there is none.
    const after = admin.auth.experimentPermissions.get(granted.id, bot);
    if (lacks("permission-grants")) await expect(after).rejects.toMatchObject({ constructor: NotFoundError, errorCode: "RESOURCE_DOES_NOT_EXIST" });
    else expect((await after).permission).toBe("READ");
    const deleted = await cli(["auth", "users", "delete", bot]);
    expect(deleted).toMatchObject({ code: 0, stdout: `Deleted user ${bot}.\n` });
    await expect(admin.auth.users.get(bot)).rejects.toMatchObject({ status: 404 });
    const all = outputs.join("\n");
    for (const secret of [botPassword, stackEnv("STACK_AUTH_ADMIN_PASSWORD")]) expect(all).not.toContain(secret);
  });
});
