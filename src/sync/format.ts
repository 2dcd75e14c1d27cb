/**
 * The sync report as text, for people: totals, planned actions of a dry run, why runs were skipped,
 * what failed; and one line per experiment, run, logged model or model version, which the command
 * prints as progress. Out of the command (cli/commands/sync.ts) so that a program that calls
 * syncRuns can print the same report.
 */
import { formatBytes, formatCount } from "../core/units.js";
import type { ExperimentSyncResult, LoggedModelSyncResult, ModelVersionSyncResult, RunSyncResult, SyncReport } from "./types.js";

/**
 * The report as text: totals, why runs were skipped, and every failure (what `mlflow-ts sync`
 * prints without `--json`).
 *
 * @example
 * console.log(formatSyncReport(await syncRuns({ from, to })));
 */
export function formatSyncReport(report: SyncReport): string {
  const { totals } = report;
  const lines: string[] = [];
  const would = report.dryRun ? "would be " : "";
  lines.push(
    report.dryRun
      ? `Dry run (nothing was written): ${report.from} → ${report.to}`
      : `Synced ${report.from} → ${report.to} in ${(report.durationMs / 1000).toFixed(1)} s`,
  );
  if (report.dryRun) lines.push(...plannedRuns(report.runs), ...plannedModels(report));
  lines.push(
    `Experiments: ${totals.experimentsCreated} ${would}created, ${totals.experimentsReused} ${would}reused${totals.experimentsFailed ? `, ${totals.experimentsFailed} failed` : ""}`,
  );
  lines.push(
    `Runs: ${totals.runsCopied} ${would}copied, ${totals.runsResumed} ${would}resumed, ${totals.runsUpdated} ${would}updated, ${totals.runsSkipped} skipped, ${totals.runsFailed} failed`,
  );
  lines.push(modelsLine(report));
  if (!report.dryRun) {
    const files = `${totals.artifactFiles} artifact ${plural(totals.artifactFiles, "file")} (${formatBytes(totals.artifactBytes)})`;
    lines.push(
      `Sent: ${formatCount(totals.metricPoints, "metric point")}, ${formatCount(totals.params, "param")}, ${formatCount(totals.tags, "tag")}, ${formatCount(totals.datasets, "dataset input")}, ${files}`,
    );
  }
  const skipped = countBy(report.runs.filter((run) => run.outcome === "skipped").map((run) => run.reason));
  if (skipped.length > 0) lines.push(`Skipped: ${skipped.map(([reason, n]) => `${n} ${reason}`).join(", ")}`);
  const modelsNotCopied = countBy(report.loggedModels.filter((m) => m.outcome === "skipped" && m.reason !== "already copied").map((m) => m.reason));
  if (modelsNotCopied.length > 0) lines.push(...modelsNotCopied.map(([reason, n]) => `Logged models not copied: ${n}, because ${reason}`));
  const notCopied = report.modelVersions.filter((v) => v.outcome === "skipped" && v.action === "skip" && v.reason !== "already copied");
  if (notCopied.length > 0) lines.push("Model versions not copied:", ...notCopied.map((v) => `  ${v.name} version ${v.sourceVersion}: ${v.reason}`));
  const modelsUpdated = report.registeredModels.filter((m) => m.action === "update" && m.outcome !== "failed").map((m) => `  ${m.name}: ${m.reason}`);
  if (modelsUpdated.length > 0) lines.push(`Registered models ${report.dryRun ? "that would be " : ""}updated:`, ...modelsUpdated);
  const aliasesLeft = report.registeredModels.flatMap((m) => m.aliasesLeft.map((text) => `  ${m.name}: alias ${text}`));
  if (aliasesLeft.length > 0) lines.push("Aliases left as they are on the target:", ...aliasesLeft);
  const failures = [
    ...report.experiments.filter((e) => e.outcome === "failed").map((e) => `  experiment "${e.name}": ${e.reason}`),
    ...report.runs
      .filter((run) => run.outcome === "failed")
      .map((run) => `  run ${run.sourceRunId} "${run.runName}" (experiment "${run.experimentName}"): ${run.error}`),
    ...report.loggedModels
      .filter((m) => m.outcome === "failed")
      .map((m) => `  logged model ${m.sourceModelId} "${m.name}" (experiment "${m.experimentName}"): ${m.error}`),
    ...report.registeredModels.filter((m) => m.outcome === "failed").map((m) => `  registered model "${m.name}": ${m.error}`),
    ...report.modelVersions.filter((v) => v.outcome === "failed").map((v) => `  model version "${v.name}" ${v.sourceVersion}: ${v.error}`),
  ];
  if (failures.length > 0) lines.push("Failed:", ...failures, "Run the same command again to retry what failed.");
  return lines.join("\n");
}

/** `Models: …` — logged models, model versions and registered models. */
function modelsLine(report: SyncReport): string {
  const { totals } = report;
  const would = report.dryRun ? "would be " : "";
  const updated = (n: number): string => (n > 0 ? `, ${n} ${would}updated` : "");
  const models = `${formatCount(totals.loggedModelsCopied, "logged model")} ${would}copied${updated(totals.loggedModelsUpdated)}, ${totals.loggedModelsSkipped} skipped, ${totals.loggedModelsFailed} failed`;
  const versions = `${formatCount(totals.modelVersionsCopied, "model version")} ${would}registered${updated(totals.modelVersionsUpdated)}, ${totals.modelVersionsSkipped} skipped, ${totals.modelVersionsFailed} failed`;
  return `Models: ${models}; ${versions}; ${formatCount(totals.registeredModelsCreated, "registered model")} ${would}created`;
}

function plannedModels(report: SyncReport): string[] {
  const models = report.loggedModels
    .filter((m) => m.outcome === "planned")
    .map((m) => `  ${m.action.padEnd(6)}  ${m.sourceModelId}  logged model "${m.name}" (experiment "${m.experimentName}"): ${m.reason}`);
  const versions = report.modelVersions
    .filter((v) => v.outcome === "planned")
    .map((v) => `  ${v.action.padEnd(6)}  model version "${v.name}" ${v.sourceVersion}: ${v.reason}`);
  return [...models, ...versions];
}

function plannedRuns(runs: readonly RunSyncResult[]): string[] {
  return runs
    .filter((run) => run.outcome === "planned")
    .map((run) => `  ${run.action.padEnd(6)}  ${run.sourceRunId}  "${run.runName}" (experiment "${run.experimentName}"): ${run.reason}`);
}

/** One line for an experiment's outcome. @internal */
export function describeExperiment(experiment: ExperimentSyncResult): string {
  const id = experiment.targetExperimentId ? ` (id ${experiment.targetExperimentId} on the target)` : "";
  if (experiment.outcome === "failed") return `experiment "${experiment.name}" FAILED: ${experiment.reason}`;
  if (experiment.outcome === "skipped") return `experiment "${experiment.name}" skipped: ${experiment.reason}`;
  const verb = experiment.action === "create" ? "created" : "reused";
  return `experiment "${experiment.name}" ${experiment.outcome === "planned" ? `would be ${verb}` : verb}${id}`;
}

/** One line for a run's outcome: what was sent, and where. @internal */
export function describeRun(run: RunSyncResult): string {
  const name = `"${run.runName}" (${run.experimentName}) ${run.sourceRunId}`;
  if (run.outcome === "failed") return `FAILED ${name}: ${run.error}`;
  const verb = { copy: "copied", resume: "resumed", update: "updated", skip: "skipped" }[run.action];
  const files = `${run.artifactFiles} ${plural(run.artifactFiles, "file")} (${formatBytes(run.artifactBytes)})`;
  return `${verb} ${name} → ${run.targetRunId}: ${formatCount(run.metricPoints, "point")}, ${formatCount(run.params, "param")}, ${formatCount(run.tags, "tag")}, ${files}`;
}

/** One line for a logged model's outcome. @internal */
export function describeLoggedModel(model: LoggedModelSyncResult): string {
  const name = `logged model "${model.name}" (${model.experimentName}) ${model.sourceModelId}`;
  if (model.outcome === "failed") return `FAILED ${name}: ${model.error}`;
  if (model.outcome === "skipped") return `skipped ${name}: ${model.reason}`;
  const verb = { copy: "copied", resume: "resumed", update: "updated", skip: "skipped" }[model.action];
  const why = model.action === "update" ? ` (${model.reason})` : "";
  return `${verb} ${name} → ${model.targetModelId}${why}: ${model.artifactFiles} ${plural(model.artifactFiles, "file")} (${formatBytes(model.artifactBytes)})`;
}

/** One line for a model version's outcome. @internal */
export function describeVersion(version: ModelVersionSyncResult): string {
  const name = `model version "${version.name}" ${version.sourceVersion}`;
  if (version.outcome === "failed") return `FAILED ${name}: ${version.error}`;
  if (version.outcome === "skipped") return `skipped ${name}: ${version.reason}`;
  if (version.outcome === "planned")
    return version.action === "update" ? `would update ${name} (version ${version.targetVersion} on the target): ${version.reason}` : `would register ${name}`;
  if (version.action === "update") return `updated ${name} (version ${version.targetVersion} on the target): ${version.reason}`;
  return `${version.action === "resume" ? "completed" : "registered"} ${name} as version ${version.targetVersion}`;
}

/** How often each value occurs, most frequent first. */
function countBy(values: readonly string[]): [string, number][] {
  const counts = new Map<string, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}

/** `noun` or `nouns`. @internal */
export function plural(n: number, noun: string): string {
  return n === 1 ? noun : `${noun}s`;
}
