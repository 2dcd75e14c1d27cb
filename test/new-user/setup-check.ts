/**
 * A new user's CI step that prints the setup check as `mlflow-ts doctor` does: `checkSetup` from
 * the root entry, the text from the `mlflow-ts/doctor` subpath — so the installed package resolves
 * a subpath at run time, not only when compiling. Read-only (`write: false`). Prints one JSON line.
 */
import { checkSetup } from "mlflow-ts";
import { CHECK_IDS, formatReport, formatSummary } from "mlflow-ts/doctor";

const report = await checkSetup({ write: false, timeoutMs: 10_000 });
const text = formatReport(report, { color: false });
console.log(JSON.stringify({ ok: report.ok, ids: report.checks.map((check) => check.id), known: [...CHECK_IDS], summary: formatSummary(report), text }));
