/**
 * `mlflow-ts auth` against a mocked basic-auth server: passwords only from stdin or a file (never
 * argv) and never in the output, grant resolves an experiment by name and replaces an existing
 * grant, permissions prints a table or JSON, and bad input exits 2 with the fix.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { runCli } from "../../../../src/cli/program.js";
import { API, BASE, EMPTY_HOME, mlflowError, record, useMockServer } from "../../helpers/mock-server.js";

const server = useMockServer();
const API3 = `${BASE}/api/3.0/mlflow`;
const PASSWORD = "ci-bot-password-1234";

async function cli(argv: string[], stdin?: string) {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const env = {
    HOME: EMPTY_HOME,
    MLFLOW_TRACKING_URI: BASE,
    MLFLOW_TRACKING_USERNAME: "admin",
    MLFLOW_TRACKING_PASSWORD: "admin-password-5678",
    MLFLOW_TS_QUIET_RETRIES: "true",
  };
  const io = {
    stdout: { write: (t: string) => stdout.push(t) },
    stderr: { write: (t: string) => stderr.push(t) },
    env,
    ...(stdin === undefined ? {} : { stdin: Readable.from([Buffer.from(stdin)]) }),
  };
  const code = await runCli(argv, io);
  return { code, stdout: stdout.join(""), stderr: stderr.join("") };
}

describe("mlflow-ts auth --help", () => {
  it.each([
    ["auth"],
    ["auth", "users"],
    ["auth", "users", "create"],
    ["auth", "users", "passwd"],
    ["auth", "grant", "experiment"],
    ["auth", "grant", "model"],
    ["auth", "revoke"],
    ["auth", "permissions"],
  ])("%s … --help exits 0 with its usage", async (...path: string[]) => {
    const { code, stdout } = await cli([...path, "--help"]);
    expect(code).toBe(0);
    expect(stdout).toContain(`Usage: mlflow-ts ${path.join(" ")}`);
  });
});

describe("mlflow-ts auth users", () => {
  it("creates an admin user with the password from stdin (trailing newline dropped) and never prints it", async () => {
    const creates = record(server, "post", `${API}/users/create`, () => ({ user: { id: 9, username: "ci-bot", is_admin: false } }));
    const admins = record(server, "patch", `${API}/users/update-admin`);
    const { code, stdout, stderr } = await cli(["auth", "users", "create", "ci-bot", "--password-stdin", "--admin"], `${PASSWORD}\n`);
    expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
    expect(stdout).toBe("Created user ci-bot (id 9, admin).\n");
    expect(creates.map((r) => r.body)).toEqual([{ username: "ci-bot", password: PASSWORD }]);
    expect(admins.map((r) => r.body)).toEqual([{ username: "ci-bot", is_admin: true }]);
  });

  it("sets a password from a file, and keeps it out of the error when the server refuses it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "auth-cli-"));
    writeFileSync(join(dir, "pw"), `${PASSWORD}\n`);
    record(server, "patch", `${API}/users/update-password`, () => mlflowError(400, "INVALID_PARAMETER_VALUE", `rejected ${PASSWORD}`));
    const { code, stdout, stderr } = await cli(["auth", "users", "passwd", "ci-bot", "--password-file", join(dir, "pw")]);
    expect(code).toBe(1);
    expect(stderr).toContain("rejected");
    expect(stdout + stderr).not.toContain(PASSWORD);
  });

  it("has no way to take a password on the command line: no password option, and none given is a usage error with the fix", async () => {
    const seen = record(server, "post", `${API}/users/create`);
    const argv = await cli(["auth", "users", "create", "ci-bot", "--password", PASSWORD]);
    expect(argv.code).toBe(2);
    expect(argv.stderr).toContain("unknown option '--password'");
    expect(argv.stderr).not.toContain(PASSWORD);
    const none = await cli(["auth", "users", "create", "ci-bot"]);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/No password given\. Fix: pipe it in with --password-stdin/);
    const empty = await cli(["auth", "users", "create", "ci-bot", "--password-stdin"], "\n");
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain("The password read is empty.");
    expect(seen).toHaveLength(0);
  });

  it("deletes a user and takes admin away with set-admin --off", async () => {
    const deletes = record(server, "delete", `${API}/users/delete`);
    const admins = record(server, "patch", `${API}/users/update-admin`);
    expect((await cli(["auth", "users", "delete", "ci-bot"])).stdout).toBe("Deleted user ci-bot.\n");
    expect((await cli(["auth", "users", "set-admin", "ci-bot", "--off"])).stdout).toBe("ci-bot is no longer an admin.\n");
    expect(deletes.map((r) => r.body)).toEqual([{ username: "ci-bot" }]);
    expect(admins.map((r) => r.body)).toEqual([{ username: "ci-bot", is_admin: false }]);
  });
});

describe("mlflow-ts auth grant / revoke / permissions", () => {
  it("grants on an experiment named by its name, and replaces a grant the user already has", async () => {
    record(server, "get", `${API}/experiments/get-by-name`, () => ({ experiment: { experiment_id: "12", name: "mnist", lifecycle_stage: "active" } }));
    const grants = record(server, "post", `${API3}/users/permissions/grant`, (_req, n) =>
      n === 1 ? mlflowError(400, "RESOURCE_ALREADY_EXISTS", "Permission already exists.") : {},
    );
    const revokes = record(server, "post", `${API3}/users/permissions/revoke`);
    const { code, stdout } = await cli(["auth", "grant", "experiment", "mnist", "ci-bot", "edit"]);
    expect(code).toBe(0);
    expect(stdout).toBe('Granted EDIT on experiment 12 ("mnist") to ci-bot.\n');
    expect(grants.map((r) => r.body)).toEqual([
      { username: "ci-bot", resource_type: "experiment", resource_id: "12", permission: "EDIT" },
      { username: "ci-bot", resource_type: "experiment", resource_id: "12", permission: "EDIT" },
    ]);
    expect(revokes).toHaveLength(1);
  });

  it("grants and revokes on a registered model by name", async () => {
    const grants = record(server, "post", `${API3}/users/permissions/grant`);
    const revokes = record(server, "post", `${API3}/users/permissions/revoke`);
    expect((await cli(["auth", "grant", "model", "churn", "ci-bot", "READ"])).stdout).toBe('Granted READ on registered model "churn" to ci-bot.\n');
    expect((await cli(["auth", "revoke", "model", "churn", "ci-bot"])).stdout).toBe('Revoked ci-bot\'s permission on registered model "churn".\n');
    expect(grants.map((r) => (r.body as { resource_type: string }).resource_type)).toEqual(["registered_model"]);
    expect(revokes.map((r) => r.body)).toEqual([{ username: "ci-bot", resource_type: "registered_model", resource_id: "churn" }]);
  });

  it("refuses a permission MLflow does not have with exit 2 and the list", async () => {
    const { code, stderr } = await cli(["auth", "grant", "model", "churn", "ci-bot", "WRITE"]);
    expect(code).toBe(2);
    expect(stderr).toContain("expected one of READ, USE, EDIT, MANAGE, DENY");
  });

  it("exits 1 naming the experiment when neither the id nor the name exists", async () => {
    record(server, "get", `${API}/experiments/get`, () => mlflowError(404, "RESOURCE_DOES_NOT_EXIST", "No experiment 404"));
    record(server, "get", `${API}/experiments/get-by-name`, () => mlflowError(404, "RESOURCE_DOES_NOT_EXIST", "No experiment named 404"));
    const { code, stderr } = await cli(["auth", "revoke", "experiment", "404", "ci-bot"]);
    expect(code).toBe(1);
    expect(stderr).toContain('No experiment has the id or name "404". Fix: list them with `mlflow-ts experiments list`.');
  });

  it("prints a user's grants as a table, and as JSON with --json", async () => {
    record(server, "get", `${API3}/users/permissions/list`, () => ({
      is_admin: false,
      permissions: [{ role_id: 3, role_name: "__user_9__", workspace: "default", resource_type: "experiment", resource_pattern: "12", permission: "EDIT" }],
    }));
    const text = await cli(["auth", "permissions", "ci-bot"]);
    expect(text.stdout).toMatch(/^ci-bot: not an admin\nRESOURCE TYPE +RESOURCE +PERMISSION +ROLE\n.*experiment +12 +EDIT +__user_9__/);
    const json = JSON.parse((await cli(["auth", "permissions", "ci-bot", "--json"])).stdout);
    expect(json).toEqual({
      username: "ci-bot",
      is_admin: false,
      grants: [{ resource_type: "experiment", resource_id: "12", permission: "EDIT", role: "__user_9__", workspace: "default" }],
    });
  });
});
