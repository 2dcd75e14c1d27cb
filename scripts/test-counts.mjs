// Prints how many tests each suite executed, passed, failed and skipped (from vitest's JSON report).
import { readFileSync } from "node:fs";

for (const file of process.argv.slice(2)) {
  const report = JSON.parse(readFileSync(file, "utf8"));
  const bySuite = new Map();
  for (const result of report.testResults) {
    const suite = /test\/(conformance)\//.test(result.name) ? "conformance" : /test\/integration\//.test(result.name) ? "integration" : "unit";
    const counts = bySuite.get(suite) ?? { executed: 0, passed: 0, failed: 0, skipped: 0 };
    for (const test of result.assertionResults) {
      if (test.status === "passed") counts.passed++;
      else if (test.status === "failed") counts.failed++;
      else counts.skipped++;
      if (test.status === "passed" || test.status === "failed") counts.executed++;
    }
    bySuite.set(suite, counts);
  }
  for (const [suite, c] of bySuite) {
    console.log(`${suite}: ${c.executed} executed (${c.passed} passed, ${c.failed} failed), ${c.skipped} skipped`);
  }
}
