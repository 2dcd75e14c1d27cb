/** The text form of a setup report: one line per check, the fix below a failure, the summary. */
import { describe, expect, it } from "vitest";
import { formatCheck, formatReport, formatSummary } from "../../../src/doctor/format.js";
import type { CheckResult, SetupReport } from "../../../src/doctor/types.js";

const failed: CheckResult = {
  id: "s3.bucket",
  title: "S3 bucket",
  status: "fail",
  detail: 'Bucket "x" does not exist.',
  hint: "Create it: mc mb local/x.",
  durationMs: 8,
};
const passed: CheckResult = { id: "config", title: "Configuration", status: "pass", detail: "Tracking server http://h:5000.", hint: null, durationMs: 1 };
const skipped: CheckResult = { id: "artifacts.write", title: "Artifact write/read/delete", status: "skip", detail: "Skipped.", hint: null, durationMs: 0 };
const warned: CheckResult = { id: "clock", title: "Clock skew", status: "warn", detail: "2 min behind.", hint: "Use NTP.", durationMs: 0 };

describe("formatCheck", () => {
  it("puts the status, the padded title and the detail on one line, and the fix on the next", () => {
    expect(formatCheck(passed)).toBe("PASS  Configuration               Tracking server http://h:5000.");
    expect(formatCheck(failed)).toBe('FAIL  S3 bucket                   Bucket "x" does not exist.\n      fix: Create it: mc mb local/x.');
  });

  it("colours only the status label, and only when asked", () => {
    expect(formatCheck(failed)).not.toContain("\u001b[");
    expect(formatCheck(failed, { color: true }).startsWith("\u001b[31mFAIL\u001b[0m  S3 bucket")).toBe(true);
  });
});

describe("formatSummary and formatReport", () => {
  const report: SetupReport = { ok: false, checks: [passed, warned, failed, skipped], durationMs: 1234 };

  it("counts each status, gives the time, and says what to do next", () => {
    expect(formatSummary(report)).toBe("4 checks: 1 passed, 1 warning, 1 failed, 1 skipped in 1.2 s. Fix the first failure above, then run the check again.");
    expect(formatSummary({ ok: true, checks: [passed], durationMs: 40 })).toBe("1 checks: 1 passed in 0 s. Nothing failed.");
  });

  it("lists every check in order, then the summary", () => {
    const lines = formatReport(report).split("\n");
    expect(lines.filter((line) => /^(PASS|WARN|FAIL|SKIP) /.test(line)).map((line) => line.slice(0, 4))).toEqual(["PASS", "WARN", "FAIL", "SKIP"]);
    expect(lines.at(-1)).toBe(formatSummary(report));
  });
});
