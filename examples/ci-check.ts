/**
 * CI gate: before a training job starts, check that the tracking server, the credentials, the
 * bucket and the artifact path work. Prints one line per check (with the fix under each failure)
 * and exits 1 when a check failed, so the CI job stops here instead of an hour into training.
 *
 * Configured by the same variables as the job: MLFLOW_TRACKING_URI, MLFLOW_TRACKING_USERNAME /
 * MLFLOW_TRACKING_PASSWORD, MLFLOW_S3_ENDPOINT_URL, AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY,
 * MLFLOW_EXPERIMENT_NAME. Set DOCTOR_ROUND_TRIP=1 to also log (and delete) a throw-away run.
 *
 * Run: npx tsx examples/ci-check.ts   (the installed command does the same: npx mlflow-ts doctor)
 */

// In a project: import { checkSetup, formatReport } from "mlflow-ts/doctor";
import { checkSetup, formatReport } from "../src/doctor.js";

async function main(): Promise<void> {
  const report = await checkSetup({ roundTrip: process.env.DOCTOR_ROUND_TRIP === "1" });
  console.log(formatReport(report, { color: process.stdout.isTTY }));
  if (!report.ok) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
