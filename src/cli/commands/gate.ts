/**
 * `mlflow-ts gate <candidate>`: the CI step that promotes or blocks a model. It compares the
 * candidate's metrics with a baseline's (`--metric key:max|min[:tolerance]`) and with fixed bounds
 * (`--threshold key>=x`), prints the table (or one JSON document), appends a Markdown summary for
 * the CI page, and with `--promote` registers the candidate and moves the alias only when every
 * check passed. The rules live in models/gate/; this file wires options to them.
 */
import { appendFile } from "node:fs/promises";
import { Command, InvalidArgumentError } from "commander";
import { MlflowError, ValidationError } from "../../core/errors.js";
import { GatePromotionError } from "../../models/errors.js";
import {
  checkThreshold,
  compareMetric,
  type GateCheckResult,
  type GateMetricSpec,
  type GateThresholdSpec,
  parseMetricSpec,
  parseThresholdSpec,
} from "../../models/gate/checks.js";
import { aliasVersion, DEFAULT_SETTLE_MS, promoteCandidate } from "../../models/gate/promote.js";
import { type GateSubject, resolveGateSubject } from "../../models/gate/subject.js";
import { isModelsUri, isRunsUri, parseModelsUri, parseRunsUri } from "../../protocol/uri.js";
import { validateAlias, validateModelName } from "../../protocol/validation.js";
import { collect } from "../arguments.js";
import type { CliContext } from "../context.js";
import { EXIT } from "../context.js";
import { formatGateJson, formatGateMarkdown, formatGateText, type GatePromotion, type GateReport } from "../output/gate-report.js";

/** The alias `--promote` moves unless `--alias` names another. */
const DEFAULT_ALIAS = "champion";

interface GateOptions {
  baseline?: string;
  metric: GateMetricSpec[];
  threshold: GateThresholdSpec[];
  allowMissingBaseline?: boolean;
  promote?: boolean;
  name?: string;
  alias: string;
  bootstrap?: boolean;
  summary?: string;
  json?: boolean;
  settleMs: number;
}

const HELP = `
Metrics: a run's latest values; a logged model's own metrics, then its source run's; a registered
version's logged model (or run). A check passes when the candidate is not worse than the baseline by
more than the tolerance (exactly at it passes); a tolerance ending in % is relative to the baseline.

Examples:
  mlflow-ts gate runs:/$RUN_ID/model --name churn --metric val/accuracy:max:0.005 --metric latency_ms:min:5%
  mlflow-ts gate models:/$MODEL_ID --name churn --metric val/accuracy:max --threshold val/accuracy>=0.9 --promote
  mlflow-ts gate $RUN_ID --threshold val/accuracy>=0.9 --json

Exit codes: 0 every check passed (and the promotion, if asked, happened); 1 a check failed, the
promotion was refused, or the server failed; 2 a usage error (a malformed --metric, an alias that
does not exist without --bootstrap, options that do not fit together).`;

/**
 * The `gate` command.
 * @internal
 */
export function gateCommand(context: CliContext): Command {
  return new Command("gate")
    .description("compare a candidate model or run with a baseline on named metrics; exit 0/1; optionally promote it")
    .argument("<candidate>", "a run id, runs:/<run id>[/<path>], models:/<model id> or models:/<name>/<version>")
    .option("-b, --baseline <uri>", "a run id, runs:/…, or models:/… (default: models:/<--name>@<--alias>)")
    .option("-m, --metric <spec>", "compare with the baseline: <key>:<max|min>[:<tolerance>[%]] (repeatable)", collect(parseMetricSpec), [])
    .option("-t, --threshold <spec>", "a fixed bound: <key>>=<number> or <key><=<number> (repeatable)", collect(parseThresholdSpec), [])
    .option("--allow-missing-baseline", "a metric the baseline lacks passes instead of failing")
    .option("--name <registered-model>", "the registered model whose alias is the baseline and the promotion target")
    .option("--alias <alias>", "the alias compared against and moved by --promote", DEFAULT_ALIAS)
    .option("--promote", "when every check passes: register the candidate under --name and move --alias to it")
    .option("--bootstrap", "with --promote: when the alias does not exist yet, promote on the thresholds alone")
    .option("--summary <file>", "append the Markdown summary to this file (default: $GITHUB_STEP_SUMMARY when set)")
    .option("--json", "print one JSON document and nothing else on stdout")
    .option("--settle-ms <ms>", "wait between setting the alias and verifying it", parseSettle, DEFAULT_SETTLE_MS)
    .addHelpText("after", HELP)
    .action(async (candidate: string, options: GateOptions) => runGate(context, candidate, options));
}

function parseSettle(value: string): number {
  const ms = Number(value);
  if (!Number.isInteger(ms) || ms < 0 || ms > 60_000) throw new InvalidArgumentError("expected a whole number of milliseconds from 0 to 60000.");
  return ms;
}

async function runGate(context: CliContext, candidateRef: string, options: GateOptions): Promise<void> {
  const baselineRef = checkOptions(candidateRef, options);
  const client = context.client();
  const target = options.name === undefined ? undefined : { name: options.name, alias: options.alias };
  // The alias is read once, first: the baseline compared is the version it pointed at then, and
  // the promotion refuses if it moved since.
  const targetVersion = target === undefined ? undefined : await aliasVersion(client, target.name, target.alias);
  const candidate = await resolveGateSubject(client, candidateRef);
  const { baseline, bootstrap } = await resolveBaseline(context, baselineRef, target, targetVersion, options);
  const checks: GateCheckResult[] = [
    ...options.metric.map((spec) =>
      compareMetric(spec, baseline?.metrics.get(spec.key), candidate.metrics.get(spec.key), { allowMissingBaseline: options.allowMissingBaseline, bootstrap }),
    ),
    ...options.threshold.map((spec) => checkThreshold(spec, candidate.metrics.get(spec.key))),
  ];
  const passed = checks.every((check) => check.passed);
  const report: GateReport = { passed, candidate, baseline, bootstrap, checks, promotion: undefined };
  if (options.promote && target !== undefined) {
    report.promotion = passed
      ? await promote(context, candidate, target, targetVersion, options.settleMs)
      : { status: "skipped", ...target, reason: "a check failed" };
  }
  context.print(options.json ? formatGateJson(report) : formatGateText(report));
  await writeSummary(context, options.summary, formatGateMarkdown(report));
  if (report.promotion?.status === "refused" || report.promotion?.status === "failed") context.printError(`error: ${report.promotion.message}`);
  if (!passed || (report.promotion !== undefined && report.promotion.status !== "promoted" && report.promotion.status !== "skipped"))
    context.exitCode = EXIT.failure;
}

/** Checks the options that depend on each other; returns the baseline reference (undefined: thresholds only). */
function checkOptions(candidateRef: string, options: GateOptions): string | undefined {
  const usage = (message: string) => new ValidationError("gate", "gate-options", message);
  if (options.metric.length === 0 && options.threshold.length === 0)
    throw usage("Nothing to check. Fix: add --metric <key>:<max|min>[:<tolerance>] (against the baseline) or --threshold <key>>=<number>.");
  if (options.name !== undefined) validateModelName(options.name, "--name");
  validateAlias(options.alias);
  if (options.promote && options.name === undefined) throw usage("--promote needs the registered model to promote into. Fix: add --name <registered model>.");
  if (options.bootstrap && !options.promote)
    throw usage("--bootstrap only applies with --promote (the first model promotes). Fix: add --promote, or drop --bootstrap.");
  if (options.promote && !registrable(candidateRef))
    throw usage(
      `--promote registers the candidate, and "${candidateRef}" names a run, not a model in it. Fix: give runs:/<run id>/<model path> or models:/<model id>.`,
    );
  const baselineRef = options.baseline ?? (options.name === undefined ? undefined : `models:/${options.name}@${options.alias}`);
  if (options.metric.length > 0 && baselineRef === undefined)
    throw usage(
      "--metric compares with a baseline, and none is named. Fix: add --name <registered model> (baseline models:/<name>@champion) or --baseline <uri>.",
    );
  return baselineRef;
}

/** Whether a candidate names a model that registerModel can register (not a bare run). */
function registrable(ref: string): boolean {
  if (isModelsUri(ref)) return true;
  return isRunsUri(ref) && parseRunsUri(ref).path !== "";
}

async function resolveBaseline(
  context: CliContext,
  baselineRef: string | undefined,
  target: { name: string; alias: string } | undefined,
  targetVersion: string | undefined,
  options: GateOptions,
): Promise<{ baseline: GateSubject | undefined; bootstrap: boolean }> {
  if (baselineRef === undefined || options.metric.length === 0) return { baseline: undefined, bootstrap: false };
  const client = context.client();
  const parsed = isModelsUri(baselineRef) ? parseModelsUri(baselineRef) : undefined;
  if (parsed?.kind !== "alias") return { baseline: await resolveGateSubject(client, baselineRef), bootstrap: false };
  const isTarget = target !== undefined && parsed.name === target.name && parsed.alias === target.alias;
  const version = isTarget ? targetVersion : await aliasVersion(client, parsed.name, parsed.alias);
  if (version === undefined) {
    if (options.bootstrap && isTarget) return { baseline: undefined, bootstrap: true };
    throw new ValidationError(
      baselineRef,
      "gate-baseline",
      `The baseline ${baselineRef} names no version: registered model "${parsed.name}" has no alias "${parsed.alias}" (or does not exist). ` +
        `Fix: for the first model of "${parsed.name}" add --promote --bootstrap; otherwise check --name and --alias, or give --baseline <run id or models:/…>.`,
    );
  }
  // The version the alias pointed at when read, not whatever it points at a moment later.
  const subject = await resolveGateSubject(client, `models:/${parsed.name}/${version}`);
  return { baseline: { ...subject, uri: baselineRef }, bootstrap: false };
}

async function promote(
  context: CliContext,
  candidate: GateSubject,
  target: { name: string; alias: string },
  expectedVersion: string | undefined,
  settleMs: number,
): Promise<GatePromotion> {
  const sameModel = candidate.name === target.name && candidate.version !== undefined;
  try {
    const version = await promoteCandidate(context.client(), {
      ...target,
      expectedVersion,
      candidateUri: candidate.uri,
      candidateVersion: sameModel ? candidate.version : undefined,
      settleMs,
    });
    return { status: "promoted", ...target, version: version.version };
  } catch (error) {
    if (!(error instanceof MlflowError)) throw error;
    if (error instanceof GatePromotionError) return { status: "refused", ...target, message: error.message, version: error.version };
    return { status: "failed", ...target, message: error.message };
  }
}

/** Appends the summary to `--summary`, else to `$GITHUB_STEP_SUMMARY` when set. */
async function writeSummary(context: CliContext, file: string | undefined, markdown: string): Promise<void> {
  const path = file ?? context.io.env.GITHUB_STEP_SUMMARY;
  if (path === undefined || path === "") return;
  await appendFile(path, markdown);
}
