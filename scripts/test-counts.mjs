// Prints how many tests each suite (unit, integration, conformance) executed, passed, failed and
// skipped, from vitest's JSON reports (`--reporter=json --outputFile.json=<file>`).
//
//   node scripts/test-counts.mjs .test-results/unit.json .test-results/integration.json
//   node scripts/test-counts.mjs --skipped "integration,conformance" --reason "the stack did not start" unit.json
//
// A version matrix report (.test-results/matrix/<suite>/<version>.json, scripts/stack/matrix) is a
// line of its own, "<suite> on MLflow <version>"; for `compat-ci` and `compat-each`, which pick tests by
// name, the tests they do not pick are counted as "not selected" (their files have no skipped tests of
// their own). Several reports of one suite also give a total line, "<suite> on <n> versions".
//
// A test file that failed before running its tests (import error, failing beforeAll with no
// tests reported) is counted as a failed file. A report that is missing or unreadable is a line
// of its own. Exit code: 0 (this script only reports; the test runs set the exit code).
import { readFileSync } from "node:fs";

const SUITES = ["unit", "integration", "conformance"];
/** The matrix suites that pick tests by name (test/integration/suites.ts, SELECTIONS). */
const NAME_PICKED_SUITES = ["compat-ci", "compat-each"];

function parseArgs(argv) {
  const args = { files: [], skipped: [], reason: "" };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--skipped") args.skipped = argv[++i].split(",").filter(Boolean);
    else if (argv[i] === "--reason") args.reason = argv[++i];
    else args.files.push(argv[i]);
  }
  return args;
}

function suiteOf(path) {
  if (/(^|\/)test\/conformance\//.test(path)) return "conformance";
  if (/(^|\/)test\/integration\//.test(path)) return "integration";
  return "unit";
}

function emptyCounts() {
  return { executed: 0, passed: 0, failed: 0, skipped: 0, files: 0, failedFiles: 0 };
}

function countReport(report, bySuite) {
  let tests = 0;
  for (const file of report.testResults ?? []) {
    const counts = bySuite.get(suiteOf(file.name)) ?? emptyCounts();
    counts.files++;
    const results = file.assertionResults ?? [];
    if (file.status === "failed" && !results.some((t) => t.status === "failed")) counts.failedFiles++;
    for (const test of results) {
      tests++;
      if (test.status === "passed") counts.passed++;
      else if (test.status === "failed") counts.failed++;
      else counts.skipped++;
    }
    counts.executed = counts.passed + counts.failed;
    bySuite.set(suiteOf(file.name), counts);
  }
  return tests;
}

/** `{ suite, version }` of a version matrix report's path, else undefined. */
function matrixRun(path) {
  const match = /(?:^|\/)matrix\/([^/]+)\/(\d+\.\d+\.\d+)\.json$/.exec(path);
  return match ? { suite: match[1], version: match[2] } : undefined;
}

/** One matrix report's counts, summed over its files. */
function matrixCounts(report) {
  const byFile = new Map();
  countReport(report, byFile);
  const c = emptyCounts();
  for (const counts of byFile.values()) for (const k of Object.keys(c)) c[k] += counts[k];
  c.executed = c.passed + c.failed;
  return c;
}

function matrixLine(label, suite, c) {
  const notRun = NAME_PICKED_SUITES.includes(suite) ? `${c.skipped} not selected` : `${c.skipped} skipped`;
  const fileFailures = c.failedFiles ? `, ${c.failedFiles} file(s) failed before their tests ran` : "";
  return `${suite} on ${label}: ${c.executed} executed (${c.passed} passed, ${c.failed} failed), ${notRun}, in ${c.files} files${fileFailures}`;
}

const args = parseArgs(process.argv.slice(2));
const bySuite = new Map();
const matrixLines = [];
/** suite → { versions, counts }: the total line of a suite run on several versions. */
const matrixTotals = new Map();
for (const file of args.files) {
  let report;
  try {
    report = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    console.log(`${file}: no readable report (${error.code ?? error.message})`);
    continue;
  }
  const run = matrixRun(file);
  if (run) {
    const c = matrixCounts(report);
    matrixLines.push(matrixLine(`MLflow ${run.version}`, run.suite, c));
    const total = matrixTotals.get(run.suite) ?? { versions: 0, counts: emptyCounts() };
    total.versions++;
    for (const k of Object.keys(c)) total.counts[k] += c[k];
    matrixTotals.set(run.suite, total);
    continue;
  }
  const tests = countReport(report, bySuite);
  if (typeof report.numTotalTests === "number" && report.numTotalTests !== tests) {
    console.log(`${file}: warning: vitest reports ${report.numTotalTests} tests, the files list ${tests}`);
  }
}

for (const suite of SUITES) {
  const c = bySuite.get(suite);
  if (c) {
    const fileFailures = c.failedFiles ? `, ${c.failedFiles} file(s) failed before their tests ran` : "";
    console.log(`${suite}: ${c.executed} executed (${c.passed} passed, ${c.failed} failed), ${c.skipped} skipped, in ${c.files} files${fileFailures}`);
  } else if (args.skipped.includes(suite)) {
    console.log(`${suite}: skipped${args.reason ? ` (${args.reason})` : ""}`);
  }
}
for (const line of matrixLines) console.log(line);
for (const [suite, { versions, counts }] of matrixTotals) if (versions > 1) console.log(matrixLine(`${versions} versions in all`, suite, counts));
