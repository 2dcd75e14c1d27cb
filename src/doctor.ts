/**
 * `mlflow-ts/doctor`: the setup check with its report formatting, for a CI job or a tool that
 * prints the report itself. `checkSetup` is also exported by the root entry; what this entry adds
 * is the text formatting `mlflow-ts doctor` prints (`formatReport`, `formatCheck`, `formatSummary`)
 * and the list of check ids.
 *
 * @example
 * import { checkSetup, formatReport } from "mlflow-ts/doctor";
 *
 * const report = await checkSetup({ experimentName: "mnist" });
 * console.log(formatReport(report));
 * if (!report.ok) process.exitCode = 1;
 *
 * @packageDocumentation
 * @module mlflow-ts/doctor
 */
export { checkSetup } from "./doctor/check-setup.js";
export { type FormatOptions, formatCheck, formatReport, formatSummary } from "./doctor/format.js";
export { CHECK_IDS, type CheckId, type CheckResult, type CheckSetupOptions, type CheckStatus, type SetupReport } from "./doctor/types.js";
