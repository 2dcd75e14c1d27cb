/** Human-readable text for a setup report: one line per check, its fix below, and a summary. */
import { formatSeconds } from "../core/units.js";
import type { CheckResult, CheckStatus, SetupReport } from "./types.js";

/** Options of {@link formatCheck} and {@link formatReport}. */
export interface FormatOptions {
  /** Colour the status with ANSI escapes (for a terminal). @defaultValue false */
  color?: boolean | undefined;
}

const LABELS: Record<CheckStatus, string> = { pass: "PASS", warn: "WARN", fail: "FAIL", skip: "SKIP" };
const COLORS: Record<CheckStatus, string> = { pass: "\u001b[32m", warn: "\u001b[33m", fail: "\u001b[31m", skip: "\u001b[90m" };
const RESET = "\u001b[0m";
const TITLE_WIDTH = 28;

/**
 * One check as text: `PASS  Title  detail`, and `fix: hint` on the next line when there is one.
 *
 * @example
 * formatCheck({ id: "s3.bucket", title: "S3 bucket", status: "fail", detail: "Bucket \"x\" does not exist.", hint: "Create it: …", durationMs: 8 });
 * // "FAIL  S3 bucket                  Bucket \"x\" does not exist.\n      fix: Create it: …"
 */
export function formatCheck(result: CheckResult, options: FormatOptions = {}): string {
  const label = options.color ? `${COLORS[result.status]}${LABELS[result.status]}${RESET}` : LABELS[result.status];
  const line = `${label}  ${result.title.padEnd(TITLE_WIDTH)}${result.detail}`;
  return result.hint === null ? line : `${line}\n      fix: ${result.hint}`;
}

/**
 * The summary line: counts per status and the total time.
 *
 * @example
 * formatSummary(report); // "16 checks: 14 passed, 2 skipped in 0.8 s. Nothing failed."
 */
export function formatSummary(report: SetupReport): string {
  const count = (status: CheckStatus): number => report.checks.filter((check) => check.status === status).length;
  const parts = [`${count("pass")} passed`];
  if (count("warn") > 0) parts.push(`${count("warn")} ${count("warn") === 1 ? "warning" : "warnings"}`);
  if (count("fail") > 0) parts.push(`${count("fail")} failed`);
  if (count("skip") > 0) parts.push(`${count("skip")} skipped`);
  const verdict = report.ok ? "Nothing failed." : "Fix the first failure above, then run the check again.";
  return `${report.checks.length} checks: ${parts.join(", ")} in ${formatSeconds(report.durationMs)}. ${verdict}`;
}

/**
 * The whole report as text: every check, then the summary.
 *
 * @example
 * console.log(formatReport(await checkSetup(), { color: process.stdout.isTTY }));
 */
export function formatReport(report: SetupReport, options: FormatOptions = {}): string {
  return [...report.checks.map((check) => formatCheck(check, options)), "", formatSummary(report)].join("\n");
}
