/**
 * The `mlflow-ts` command line: one `addCommand` line per command file, shared settings for every
 * command (output streams, usage errors thrown instead of exiting), and exit codes.
 */
import { Command } from "commander";
import { VERSION } from "../core/version.js";
import { artifactsCommand } from "./commands/artifacts.js";
import { authCommand } from "./commands/auth.js";
import { completionCommand } from "./commands/completion.js";
import { doctorCommand } from "./commands/doctor.js";
import { downloadCommand } from "./commands/download.js";
import { experimentsCommand } from "./commands/experiments.js";
import { gateCommand } from "./commands/gate.js";
import { modelsCommand } from "./commands/models.js";
import { recoverCommand } from "./commands/recover.js";
import { runsCommand } from "./commands/runs/index.js";
import { syncCommand } from "./commands/sync.js";
import { uploadCommand } from "./commands/upload.js";
import { workspacesCommand } from "./commands/workspaces.js";
import { CliContext, type CliIo } from "./context.js";
import { errorMessage, exitCodeFor } from "./errors.js";

const CONFIGURATION_HELP = `
Configuration comes from the environment, as for the library and the MLflow Python client:
  MLFLOW_TRACKING_URI, MLFLOW_TRACKING_USERNAME / MLFLOW_TRACKING_PASSWORD or MLFLOW_TRACKING_TOKEN,
  MLFLOW_S3_ENDPOINT_URL, AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, AWS_DEFAULT_REGION,
  MLFLOW_HTTP_REQUEST_TIMEOUT (seconds), MLFLOW_EXPERIMENT_NAME… (see docs/configuration.md).

Start with: mlflow-ts doctor`;

/**
 * Builds the program. Each command lives in its own file and is registered here in one line.
 * @internal
 */
export function createProgram(context: CliContext): Command {
  const program = new Command("mlflow-ts")
    .description(
      "MLflow tracking from the command line: check the setup, manage experiments, move artifacts, list runs, register models, sync local runs to a server, gate a model in CI, recover what killed processes left",
    )
    .version(VERSION, "-V, --version", "print the mlflow-ts version")
    .addHelpText("after", CONFIGURATION_HELP);
  program.addCommand(doctorCommand(context));
  program.addCommand(uploadCommand(context));
  program.addCommand(downloadCommand(context));
  program.addCommand(experimentsCommand(context));
  program.addCommand(runsCommand(context));
  program.addCommand(syncCommand(context));
  program.addCommand(gateCommand(context));
  program.addCommand(recoverCommand(context));
  program.addCommand(artifactsCommand(context));
  program.addCommand(modelsCommand(context));
  program.addCommand(authCommand(context));
  program.addCommand(workspacesCommand(context));
  program.addCommand(completionCommand(context));
  // Future commands: one file each, one line here.
  applySettings(program, context);
  return program;
}

/** Output to the context's streams, and errors thrown (not `process.exit`), on every command. */
function applySettings(command: Command, context: CliContext): void {
  command
    .exitOverride()
    .showHelpAfterError("(run with --help for usage)")
    .configureOutput({ writeOut: (text) => context.io.stdout.write(text), writeErr: (text) => context.io.stderr.write(text) });
  for (const child of command.commands) applySettings(child, context);
}

/**
 * Runs `mlflow-ts` with `argv` (without `node` and the script) and returns the exit code: 0 when
 * nothing failed, 1 when something failed, 2 on a usage error.
 *
 * @example
 * process.exitCode = await runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env });
 * @internal
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const context = new CliContext(io);
  try {
    await createProgram(context).parseAsync([...argv], { from: "user" });
    return context.exitCode;
  } catch (error) {
    const message = errorMessage(error);
    if (message !== undefined) context.printError(message);
    return exitCodeFor(error);
  } finally {
    await context.close().catch(() => undefined);
  }
}
