/**
 * How `mlflow-ts gate` reports: the plain table on stdout, the Markdown summary for a CI step
 * (`$GITHUB_STEP_SUMMARY`), and the one JSON document of `--json` — three views of one report, so
 * they cannot disagree.
 */
import type { GateCheckResult } from "../../models/gate/checks.js";
import type { GateSubject } from "../../models/gate/subject.js";
import { formatTable } from "./table.js";

/** What a promotion did: promoted, not attempted (a check failed), or refused/failed with a message. */
export type GatePromotion =
  | { status: "promoted"; name: string; alias: string; version: string }
  | { status: "skipped"; name: string; alias: string; reason: string }
  | { status: "refused" | "failed"; name: string; alias: string; message: string; version?: string | undefined };

/** Everything one gate decided. @internal */
export interface GateReport {
  passed: boolean;
  candidate: GateSubject;
  /** Undefined for a threshold-only gate, or when there was no baseline yet (`bootstrap`). */
  baseline: GateSubject | undefined;
  bootstrap: boolean;
  checks: GateCheckResult[];
  promotion: GatePromotion | undefined;
}

const HEADER = ["METRIC", "DIRECTION", "TOLERANCE", "BASELINE", "CANDIDATE", "DELTA", "RESULT"];

/** A number as a cell: `-` when absent, `NaN`/`Infinity` as JavaScript prints them. */
function cell(value: number | undefined): string {
  return value === undefined ? "-" : String(value);
}

/**
 * A delta as a cell, to 12 significant digits: 0.91 − 0.9 is 0.010000000000000009 in binary
 * floating point, and the table should say +0.01 (`--json` keeps the exact value).
 */
function deltaCell(value: number | undefined): string {
  if (value === undefined) return "-";
  const shown = Number.isFinite(value) ? String(Number(value.toPrecision(12))) : String(value);
  return value > 0 ? `+${shown}` : shown;
}

function describe(subject: GateSubject): string {
  const parts = [
    subject.version !== undefined ? `${subject.name} version ${subject.version}` : undefined,
    subject.modelId !== undefined ? `model ${subject.modelId}` : undefined,
    subject.runId !== undefined ? `run ${subject.runId}` : undefined,
  ].filter((part) => part !== undefined);
  return parts.length > 0 && subject.uri !== subject.runId ? `${subject.uri} (${parts.join(", ")})` : subject.uri;
}

function baselineLine(report: GateReport): string {
  if (report.bootstrap) return "none yet (bootstrap: the first model promotes on its thresholds alone)";
  return report.baseline === undefined ? "none (thresholds only)" : describe(report.baseline);
}

function verdict(report: GateReport): string {
  const failed = report.checks.filter((check) => !check.passed);
  if (failed.length === 0) return `Gate passed: ${report.checks.length} of ${report.checks.length} checks.`;
  return `Gate failed: ${failed.length} of ${report.checks.length} checks failed (${failed.map((check) => check.key).join(", ")}).`;
}

function promotionLine(promotion: GatePromotion | undefined): string | undefined {
  if (promotion === undefined) return undefined;
  const uri = `models:/${promotion.name}@${promotion.alias}`;
  if (promotion.status === "promoted") return `Promoted: ${uri} → version ${promotion.version}.`;
  if (promotion.status === "skipped") return `Not promoted: ${promotion.reason}; ${uri} is unchanged.`;
  return `Not promoted: ${promotion.message}`;
}

function rows(report: GateReport): string[][] {
  return report.checks.map((check) => [
    check.key,
    check.direction,
    check.rule,
    cell(check.baseline),
    cell(check.candidate),
    deltaCell(check.delta),
    check.passed ? "pass" : `FAIL: ${check.reason}`,
  ]);
}

/**
 * The plain-text report: candidate, baseline, the table, the verdict and the promotion.
 * @example
 * context.print(formatGateText(report)); // "Candidate: …\nBaseline: …\n\nMETRIC  DIRECTION …"
 * @internal
 */
export function formatGateText(report: GateReport): string {
  const lines = [
    `Candidate: ${describe(report.candidate)}`,
    `Baseline:  ${baselineLine(report)}`,
    "",
    formatTable([HEADER, ...rows(report)]),
    "",
    verdict(report),
  ];
  const promotion = promotionLine(report.promotion);
  if (promotion !== undefined) lines.push(promotion);
  return lines.join("\n");
}

/** A Markdown table cell: `|` escaped, line breaks flattened. */
function md(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\s*\n\s*/g, " ");
}

/**
 * The Markdown summary (a heading, the table, the verdict and the promotion), ending in a blank line
 * so that summaries appended one after another stay apart.
 * @example
 * await appendFile(process.env.GITHUB_STEP_SUMMARY!, formatGateMarkdown(report)); // "### mlflow-ts gate: passed\n…"
 * @internal
 */
export function formatGateMarkdown(report: GateReport): string {
  const table = [
    `| ${["Metric", "Direction", "Tolerance", "Baseline", "Candidate", "Delta", "Result"].join(" | ")} |`,
    `|${" --- |".repeat(HEADER.length)}`,
    ...rows(report).map(
      ([key, ...rest]) =>
        `| \`${md(key!)}\` | ${rest.map((text, i) => (i === rest.length - 1 && text !== "pass" ? `**${md(text)}**` : md(text))).join(" | ")} |`,
    ),
  ];
  const promotion = promotionLine(report.promotion);
  return [
    `### mlflow-ts gate: ${report.passed ? "passed" : "failed"}`,
    "",
    `Candidate: \`${md(describe(report.candidate))}\`  `,
    `Baseline: ${report.baseline === undefined ? md(baselineLine(report)) : `\`${md(describe(report.baseline))}\``}`,
    "",
    ...table,
    "",
    verdict(report),
    ...(promotion === undefined ? [] : ["", md(promotion)]),
    "",
  ].join("\n");
}

/** A subject in JSON: its references, not its metrics (the checks carry the values compared). */
function subjectJson(subject: GateSubject | undefined): Record<string, string | null> | null {
  if (subject === undefined) return null;
  return { uri: subject.uri, runId: subject.runId ?? null, modelId: subject.modelId ?? null, name: subject.name ?? null, version: subject.version ?? null };
}

/** NaN and ±Infinity as the strings MLflow's wire format uses, absent values as null. */
function number(value: number | undefined): number | string | null {
  if (value === undefined) return null;
  return Number.isFinite(value) ? value : String(value);
}

/**
 * The `--json` document: `passed`, `candidate`, `baseline`, `bootstrap`, `checks` and `promotion`.
 * @example
 * JSON.parse(formatGateJson(report)).checks[0].candidate; // 0.91, or "NaN"
 * @internal
 */
export function formatGateJson(report: GateReport): string {
  return JSON.stringify(
    {
      passed: report.passed,
      candidate: subjectJson(report.candidate),
      baseline: subjectJson(report.baseline),
      bootstrap: report.bootstrap,
      checks: report.checks.map((check) => ({ ...check, baseline: number(check.baseline), candidate: number(check.candidate), delta: number(check.delta) })),
      promotion: report.promotion ?? null,
    },
    null,
    2,
  );
}
