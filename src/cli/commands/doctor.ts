/** `mlflow-ts doctor`: {@link checkSetup} from the command line, as text or as JSON for CI. */
import { Command, InvalidArgumentError } from "commander";
import { checkSetup } from "../../doctor/check-setup.js";
import { formatCheck, formatSummary } from "../../doctor/format.js";
import { type CliContext, EXIT } from "../context.js";

const EXIT_CODES_HELP = `
Exit codes: 0 when no check failed (warnings allowed), 1 when a check failed, 2 on a usage error.

Examples:
  $ mlflow-ts doctor
  $ mlflow-ts doctor --json --experiment mnist      # in CI: fails the job when the setup is broken
  $ mlflow-ts doctor --no-write                     # read-only: nothing is written anywhere
  $ mlflow-ts doctor --round-trip                   # also create, log to and delete a throw-away run
  $ CI=true mlflow-ts doctor                        # fails when MLFLOW_TRACKING_URI is unset or empty`;

/**
 * The `doctor` command.
 * @internal
 */
export function doctorCommand(context: CliContext): Command {
  return new Command("doctor")
    .description("check the tracking server, credentials, bucket and artifact path, and say how to fix what fails")
    .option("--json", "print the report as JSON (for CI)")
    .option("-e, --experiment <name>", "experiment to probe (default: MLFLOW_EXPERIMENT_NAME, else mlflow-ts-doctor)")
    .option("--no-write", "skip every probe that writes (permission, artifact write, multipart, round trip)")
    .option("--round-trip", "also create a throw-away run, log to it, read it back and delete it")
    .option("--require-server", "fail when no tracking server is configured (MLFLOW_TRACKING_URI unset, empty or sqlite:); the default when CI is set")
    .option("--no-require-server", "accept the embedded store (sqlite:) even when CI is set")
    .option("--timeout <seconds>", "timeout of each network call, in seconds", parseSeconds, 5)
    .addHelpText("after", EXIT_CODES_HELP)
    .action(async (options: { json?: boolean; experiment?: string; write: boolean; roundTrip?: boolean; requireServer?: boolean; timeout: number }) => {
      const color = Boolean(context.io.stdout.isTTY) && !context.io.env.NO_COLOR;
      const report = await checkSetup({
        experimentName: options.experiment,
        write: options.write,
        roundTrip: options.roundTrip ?? false,
        requireServer: options.requireServer,
        timeoutMs: Math.round(options.timeout * 1000),
        client: { env: context.io.env },
        onCheck: options.json ? undefined : (check) => context.print(formatCheck(check, { color })),
      });
      context.print(options.json ? JSON.stringify(report, null, 2) : `\n${formatSummary(report)}`);
      context.exitCode = report.ok ? EXIT.ok : EXIT.failure;
    });
}

function parseSeconds(value: string): number {
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds <= 0 || seconds > 600)
    throw new InvalidArgumentError("expected a number of seconds from 0.001 to 600, e.g. --timeout 5.");
  return seconds;
}
