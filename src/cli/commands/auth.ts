/**
 * `mlflow-ts auth`: the basic-auth admin API from a shell, so a CI job can create a service
 * account and grant it an experiment (`users create|delete|set-admin|passwd`, `grant`, `revoke`,
 * `permissions`). Passwords are read from stdin or a file, never from the command line (argv is
 * visible to every user of the machine and lands in shell history); stdin is read with a size
 * bound and a deadline, so a forgotten pipe does not hang a CI job.
 */
import { readFile } from "node:fs/promises";
import { Readable } from "node:stream";
import { Argument, Command, InvalidArgumentError } from "commander";
import type { MlflowClient } from "../../client/client.js";
import { AlreadyExistsError, NotFoundError, ValidationError } from "../../core/errors.js";
import { registerSecret } from "../../core/redact.js";
import type { GrantablePermission } from "../../protocol/entities/auth.js";
import type { CliContext, InputStream } from "../context.js";
import { CliFailure } from "../errors.js";
import { formatTable } from "../output/table.js";

/** Longest a password read from stdin may take to arrive. */
const STDIN_DEADLINE_MS = 30_000;
/** Largest password input accepted (a password, not a file). */
const MAX_PASSWORD_BYTES = 64 * 1024;
const GRANTABLE: readonly GrantablePermission[] = ["READ", "USE", "EDIT", "MANAGE", "DENY"];

interface PasswordOptions {
  passwordStdin?: boolean;
  passwordFile?: string;
}

/**
 * The `auth` command and its subcommands.
 * @internal
 */
export function authCommand(context: CliContext): Command {
  return new Command("auth")
    .description("administer the basic-auth app (mlflow server --app-name basic-auth): users and their permissions; the client's user must be an admin")
    .addCommand(usersCommand(context))
    .addCommand(grantCommand(context))
    .addCommand(revokeCommand(context))
    .addCommand(permissionsCommand(context));
}

function usersCommand(context: CliContext): Command {
  const create = withPasswordOptions(new Command("create").description("create a user (its password from --password-stdin or --password-file)"))
    .argument("<name>", "the new user's name")
    .option("--admin", "make the user an admin")
    .action(async (name: string, options: PasswordOptions & { admin?: boolean }) => {
      const password = await readPassword(context, options);
      const client = context.client();
      const user = await client.auth.users.create(name, password);
      if (options.admin) await client.auth.users.updateAdmin(name, true);
      context.print(`Created user ${user.username} (id ${user.id}${options.admin ? ", admin" : ""}).`);
    });
  const remove = new Command("delete")
    .description("delete a user and its permissions")
    .argument("<name>", "the user")
    .action(async (name: string) => {
      await context.client().auth.users.delete(name);
      context.print(`Deleted user ${name}.`);
    });
  const setAdmin = new Command("set-admin")
    .description("make a user an admin (--off: a plain user again)")
    .argument("<name>", "the user")
    .option("--off", "take admin away")
    .action(async (name: string, options: { off?: boolean }) => {
      await context.client().auth.users.updateAdmin(name, !options.off);
      context.print(options.off ? `${name} is no longer an admin.` : `${name} is now an admin.`);
    });
  const passwd = withPasswordOptions(new Command("passwd").description("set a user's password (from --password-stdin or --password-file)"))
    .argument("<name>", "the user")
    .action(async (name: string, options: PasswordOptions) => {
      await context.client().auth.users.updatePassword(name, await readPassword(context, options));
      context.print(`Changed the password of ${name}.`);
    });
  return new Command("users")
    .description("create, delete, promote users and set their passwords")
    .addCommand(create)
    .addCommand(remove)
    .addCommand(setAdmin)
    .addCommand(passwd);
}

function grantCommand(context: CliContext): Command {
  const experiment = new Command("experiment")
    .description("give a user a permission on an experiment (replaces the one it had)")
    .argument("<experiment>", "experiment id or name")
    .argument("<user>", "the user")
    .addArgument(permissionArgument())
    .action(async (ref: string, user: string, permission: GrantablePermission) => {
      const client = context.client();
      const { id, label } = await resolveExperiment(client, ref);
      await setPermission(
        () => client.auth.experimentPermissions.create(id, user, permission),
        () => client.auth.experimentPermissions.update(id, user, permission),
      );
      context.print(`Granted ${permission} on experiment ${label} to ${user}.`);
    });
  const model = new Command("model")
    .description("give a user a permission on a registered model (replaces the one it had)")
    .argument("<name>", "registered model name")
    .argument("<user>", "the user")
    .addArgument(permissionArgument())
    .action(async (name: string, user: string, permission: GrantablePermission) => {
      const client = context.client();
      await setPermission(
        () => client.auth.registeredModelPermissions.create(name, user, permission),
        () => client.auth.registeredModelPermissions.update(name, user, permission),
      );
      context.print(`Granted ${permission} on registered model ${JSON.stringify(name)} to ${user}.`);
    });
  return new Command("grant")
    .description("give a user READ, EDIT or MANAGE (or USE, DENY) on an experiment or a registered model")
    .addCommand(experiment)
    .addCommand(model);
}

function revokeCommand(context: CliContext): Command {
  const experiment = new Command("experiment")
    .description("remove a user's permission on an experiment (the server's default applies again)")
    .argument("<experiment>", "experiment id or name")
    .argument("<user>", "the user")
    .action(async (ref: string, user: string) => {
      const client = context.client();
      const { id, label } = await resolveExperiment(client, ref);
      await client.auth.experimentPermissions.delete(id, user);
      context.print(`Revoked ${user}'s permission on experiment ${label}.`);
    });
  const model = new Command("model")
    .description("remove a user's permission on a registered model")
    .argument("<name>", "registered model name")
    .argument("<user>", "the user")
    .action(async (name: string, user: string) => {
      await context.client().auth.registeredModelPermissions.delete(name, user);
      context.print(`Revoked ${user}'s permission on registered model ${JSON.stringify(name)}.`);
    });
  return new Command("revoke").description("remove a user's permission on an experiment or a registered model").addCommand(experiment).addCommand(model);
}

function permissionsCommand(context: CliContext): Command {
  return new Command("permissions")
    .description("what a user may do: admin or not, and each explicit grant")
    .argument("<user>", "the user")
    .option("--json", "print the permissions as JSON")
    .action(async (user: string, options: { json?: boolean }) => {
      const permissions = await context.client().auth.users.permissions(user);
      if (options.json) return context.print(JSON.stringify(permissions, null, 2));
      context.print(`${permissions.username}: ${permissions.is_admin ? "admin (may do everything)" : "not an admin"}`);
      if (permissions.grants.length === 0) return context.print("No explicit grants (the server's default_permission applies).");
      const rows = permissions.grants.map((g) => [g.resource_type, g.resource_id, g.permission, g.role ?? ""]);
      context.print(formatTable([["RESOURCE TYPE", "RESOURCE", "PERMISSION", "ROLE"], ...rows]));
    });
}

function withPasswordOptions(command: Command): Command {
  return command
    .option("--password-stdin", "read the password from stdin (one trailing newline is dropped)")
    .option("--password-file <path>", "read the password from a file (one trailing newline is dropped)");
}

function permissionArgument(): Argument {
  return new Argument("<permission>", `one of ${GRANTABLE.join(", ")}`).argParser((value: string) => {
    const upper = value.toUpperCase() as GrantablePermission;
    if (GRANTABLE.includes(upper)) return upper;
    throw new InvalidArgumentError(`expected one of ${GRANTABLE.join(", ")}: READ reads, EDIT also writes (log runs), MANAGE also deletes and grants.`);
  });
}

/** Grant, or replace the grant the user already has, so a CI job can run the same command twice. */
async function setPermission(create: () => Promise<unknown>, update: () => Promise<unknown>): Promise<void> {
  try {
    await create();
  } catch (error) {
    if (!(error instanceof AlreadyExistsError)) throw error;
    await update();
  }
}

/** An experiment by id (all digits) or by name, with a label that shows both. */
async function resolveExperiment(client: MlflowClient, ref: string): Promise<{ id: string; label: string }> {
  if (/^\d+$/.test(ref)) {
    const byId = await client.experiments.get(ref).catch((error: unknown) => (error instanceof NotFoundError ? undefined : Promise.reject(error)));
    if (byId !== undefined) return { id: byId.experiment_id, label: `${byId.experiment_id} (${JSON.stringify(byId.name)})` };
  }
  const byName = await client.experiments.getByName(ref);
  if (byName === undefined)
    throw new CliFailure(`No experiment has the id or name ${JSON.stringify(ref)}. Fix: list them with \`mlflow-ts experiments list\`.`);
  return { id: byName.experiment_id, label: `${byName.experiment_id} (${JSON.stringify(byName.name)})` };
}

/** The password from stdin or a file, with one trailing newline dropped; registered as a secret at once. */
async function readPassword(context: CliContext, options: PasswordOptions): Promise<string> {
  if (options.passwordStdin && options.passwordFile !== undefined) {
    throw new ValidationError("password", "auth-password", "Give --password-stdin or --password-file, not both.");
  }
  let raw: string;
  if (options.passwordFile !== undefined) {
    raw = await readFile(options.passwordFile, "utf8").catch((error: NodeJS.ErrnoException) => {
      throw new CliFailure(`Cannot read the password file ${options.passwordFile} (${error.code ?? error.message}). Fix: give a readable file.`);
    });
  } else if (options.passwordStdin) {
    raw = await readStdin(context.io.stdin ?? process.stdin);
  } else {
    throw new ValidationError(
      "password",
      "auth-password",
      'No password given. Fix: pipe it in with --password-stdin (printf %s "$PASSWORD" | mlflow-ts auth …) or name a file with --password-file; passwords are never taken from the command line.',
    );
  }
  const password = raw.replace(/\r?\n$/, "");
  registerSecret(password);
  if (password === "") throw new ValidationError("password", "auth-password", "The password read is empty. Fix: pipe or write a non-empty password.");
  return password;
}

function readStdin(input: InputStream): Promise<string> {
  if (input.isTTY) {
    return Promise.reject(
      new ValidationError("password", "auth-password", 'stdin is a terminal, not a pipe. Fix: printf %s "$PASSWORD" | mlflow-ts auth … --password-stdin'),
    );
  }
  const stdin = input instanceof Readable ? input : Readable.from(input);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (error?: Error): void => {
      clearTimeout(timer);
      stdin.removeListener("data", onData);
      stdin.removeListener("end", onEnd);
      stdin.removeListener("error", onError);
      if (error) reject(error);
      else resolve(Buffer.concat(chunks).toString("utf8"));
    };
    const onData = (chunk: Buffer | string): void => {
      const buffer = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
      size += buffer.length;
      if (size > MAX_PASSWORD_BYTES) {
        finish(new CliFailure(`stdin holds more than ${MAX_PASSWORD_BYTES} bytes, which is no password. Fix: pipe the password alone.`));
        return;
      }
      chunks.push(buffer);
    };
    const onEnd = (): void => finish();
    const onError = (error: Error): void => finish(new CliFailure(`Reading the password from stdin failed (${error.message}).`));
    const timer = setTimeout(
      () =>
        finish(
          new CliFailure(`No password arrived on stdin within ${STDIN_DEADLINE_MS / 1000} s. Fix: pipe it in and close the pipe (printf %s "$PASSWORD" | …).`),
        ),
      STDIN_DEADLINE_MS,
    );
    stdin.on("data", onData);
    stdin.once("end", onEnd);
    stdin.once("error", onError);
    stdin.resume();
  });
}
