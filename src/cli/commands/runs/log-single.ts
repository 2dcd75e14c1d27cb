/**
 * `mlflow-ts runs log-metric KEY VALUE`, `runs log-param KEY VALUE` and `runs set-tag KEY VALUE`:
 * one entry from a shell step, through the logger (the same checks, batching and retries as a
 * training loop's), delivered before the command exits. Values are read as MLflow's Python client
 * reads them: a metric as `float()` does (`nan`, `-inf`, `-0`, `1_000`), a param or tag as the
 * string it is.
 */
import { Command, InvalidArgumentError } from "commander";
import type { ActiveRun } from "../../../logging/run.js";
import type { CliContext } from "../../context.js";
import { openRunLogger, runIdOption, targetRunId } from "./target.js";
import { formatMetricValue, parseFloatLikePython, parseIntegerLikePython } from "./values.js";

/**
 * The `runs log-metric` command.
 * @internal
 */
export function logMetricCommand(context: CliContext): Command {
  return new Command("log-metric")
    .description("log a metric point to a run (the value as Python's float() reads it: 0.5, NaN, -Infinity, -0)")
    .argument("<key>", "metric key")
    .argument("<value>", "metric value", metricValueArgument)
    .addOption(runIdOption())
    .option("--step <n>", "training step (default: 0)", integerArgument("step"))
    .option("--timestamp <ms>", "milliseconds since the epoch (default: now)", integerArgument("timestamp"))
    .action(async (key: string, value: number, options: { runId?: string; step?: number; timestamp?: number }, command: Command) => {
      const runId = targetRunId(context, options.runId, command);
      await logAndFlush(context, runId, (run) => run.logMetric(key, value, { step: options.step, timestamp: options.timestamp }));
      context.print(`Logged metric ${key}=${formatMetricValue(value)} (step ${options.step ?? 0}) to run ${runId}.`);
    });
}

/**
 * The `runs log-param` command.
 * @internal
 */
export function logParamCommand(context: CliContext): Command {
  return keyValueCommand(context, "log-param", "log a param to a run (params are write-once: the same value again is a no-op)", (run, key, value) =>
    run.logParam(key, value),
  );
}

/**
 * The `runs set-tag` command.
 * @internal
 */
export function setTagCommand(context: CliContext): Command {
  return keyValueCommand(context, "set-tag", "set a tag of a run (a later value replaces it)", (run, key, value) => run.setTag(key, value));
}

function keyValueCommand(
  context: CliContext,
  name: "log-param" | "set-tag",
  description: string,
  log: (run: ActiveRun, key: string, value: string) => void,
): Command {
  const what = name === "log-param" ? "param" : "tag";
  return new Command(name)
    .description(description)
    .argument("<key>", `${what} key`)
    .argument("<value>", `${what} value (stored as this text)`)
    .addOption(runIdOption())
    .action(async (key: string, value: string, options: { runId?: string }, command: Command) => {
      const runId = targetRunId(context, options.runId, command);
      await logAndFlush(context, runId, (run) => log(run, key, value));
      context.print(`${name === "log-param" ? "Logged param" : "Set tag"} ${key}=${JSON.stringify(value)} on run ${runId}.`);
    });
}

/** Opens a logger on the run, logs, and waits until the server has it (the logger then stops; the run's status is left as it is). */
async function logAndFlush(context: CliContext, runId: string, log: (run: ActiveRun) => void): Promise<void> {
  const run = await openRunLogger(context, runId);
  log(run);
  await run.detach();
}

function metricValueArgument(text: string): number {
  const value = parseFloatLikePython(text);
  if (value === undefined)
    throw new InvalidArgumentError(`expected a number as Python's float() reads it (0.5, 1e-3, NaN, Infinity, -Infinity, -0), got ${JSON.stringify(text)}.`);
  return value;
}

function integerArgument(name: string): (text: string) => number {
  return (text) => {
    const value = parseIntegerLikePython(text);
    if (value === undefined) throw new InvalidArgumentError(`expected a whole number for --${name}, got ${JSON.stringify(text)}.`);
    return value;
  };
}
