/**
 * `round-trip`: what a training job does, end to end, through the public client — create a run,
 * log a metric, a param and an artifact, read them back, then delete the artifact and the run.
 */
import { randomUUID } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ArtifactError } from "../../artifacts/errors.js";
import { messageOf } from "../../core/error-text.js";
import { AbortError } from "../../core/errors.js";
import { PROBE_FOLDER, type SetupContext } from "../context.js";
import { describeTrackingFailure, splitFix } from "../failures.js";
import { type CheckDefinition, type CheckOutcome, fail, notApplicable, pass } from "../runner.js";

const PROBE_KEY = "mlflow_ts_doctor_probe";

/** The `round-trip` check. @internal */
export const roundTripCheck: CheckDefinition<SetupContext> = {
  id: "round-trip",
  title: "Round trip",
  needs: ["artifacts.write"],
  calls: 8,
  async run(context, signal) {
    if (!context.settings.roundTrip) return notApplicable("Not asked for (roundTrip: true, or --round-trip).");
    if (!context.settings.write) return notApplicable("Write probes are off (--no-write).");
    const experiment = context.experiment;
    if (!experiment) return notApplicable("No experiment to create the run in.");
    const client = context.client!;
    const options = context.callOptions(signal);
    const marker = randomUUID();
    let step = "create a run";
    let runId: string | undefined;
    const workDir = await mkdtemp(join(tmpdir(), "mlflow-ts-doctor-"));
    try {
      const run = await client.runs.create(
        { experiment_id: experiment.experiment_id, run_name: `mlflow-ts-doctor-${marker.slice(0, 8)}`, tags: { "mlflow-ts.doctor": "round-trip" } },
        options,
      );
      runId = run.info.run_id;
      step = "log a metric and a param";
      await client.runs.logBatch(runId, { metrics: [{ key: PROBE_KEY, value: 1, step: 0 }], params: { [PROBE_KEY]: marker } }, options);
      step = "log an artifact";
      await client.artifacts.uploadData(runId, marker, `${PROBE_FOLDER}/probe.txt`, options);
      step = "read the run back";
      const back = await client.runs.get(runId, options);
      const param = back.data.params.find((p) => p.key === PROBE_KEY)?.value;
      const metric = back.data.metrics.find((m) => m.key === PROBE_KEY)?.value;
      if (param !== marker || metric !== 1)
        return fail(`Run ${runId} read back param ${param} and metric ${metric}, not what was logged.`, "The server lost data it acknowledged: check its log.");
      step = "read the artifact back";
      const local = await client.artifacts.download(runId, `${PROBE_FOLDER}/probe.txt`, workDir, options);
      if ((await readFile(local, "utf8")) !== marker)
        return fail(
          `Run ${runId}'s artifact read back different bytes.`,
          "Something between this machine and the store changes objects: check the store's configuration.",
        );
      step = "delete the artifact and the run";
      await client.artifacts.delete(runId, PROBE_FOLDER, options);
      await client.runs.delete(runId, options);
      runId = undefined;
      return pass(
        `Created run ${run.info.run_id} in experiment ${experiment.experiment_id}, logged a metric, a param and an artifact, read them back, then deleted them.`,
      );
    } catch (error) {
      return failure(context, error, step);
    } finally {
      if (runId) await client.runs.delete(runId, context.callOptions(signal)).catch(() => undefined);
      await rm(workDir, { recursive: true, force: true });
    }
  },
};

function failure(context: SetupContext, error: unknown, step: string): CheckOutcome {
  if (error instanceof AbortError) throw error;
  if (error instanceof ArtifactError) {
    const { detail, hint } = splitFix(`Could not ${step}: ${messageOf(error)}`, "Check the artifact store's configuration and permissions.");
    return fail(detail, hint);
  }
  const { detail, hint } = describeTrackingFailure(error, context.config!, step, context.settings.timeoutMs);
  return fail(detail, hint);
}
