/**
 * Training loop: a run with params, per-step metrics from a (simulated) training loop, the
 * dataset it trained on, system metrics (CPU, memory, disk, network every second), a nested
 * evaluation run, tags, a JSON summary artifact, and the logger's counters at the end. Logging
 * never waits on the network; `flush()` at the end of each epoch is where the loop waits for
 * delivery (and learns about failures). `withRun` ends the run FINISHED when the body returns and
 * FAILED when it throws (the error is rethrown); Ctrl-C ends it KILLED.
 *
 * Run against a server:
 *   MLFLOW_TRACKING_URI=http://127.0.0.1:5000 npx tsx examples/training-loop.ts
 */
import { type ActiveRun, getActiveRun, LogDeliveryError, withRun } from "../src/index.js";

const EPOCHS = 5;
const STEPS_PER_EPOCH = 2_000;

/** Stands in for a real training step: returns a decreasing, noisy loss. */
function trainStep(step: number): { loss: number; accuracy: number } {
  const loss = 2 * Math.exp(-step / 3_000) + Math.random() * 0.05;
  return { loss, accuracy: 1 - loss / 2.1 };
}

async function main(): Promise<void> {
  process.env.MLFLOW_SYSTEM_METRICS_SAMPLING_INTERVAL ??= "1";
  const options = {
    experimentName: process.env.MLFLOW_EXPERIMENT_NAME ?? "mlflow-ts-training-loop",
    runName: "simulated-training",
    description: "A simulated training loop logged with **mlflow-ts**.",
    params: { lr: 0.001, epochs: EPOCHS, optimizer: "adam" },
    tags: { team: "examples" },
    logSystemMetrics: true, // sampled every MLFLOW_SYSTEM_METRICS_SAMPLING_INTERVAL seconds (set to 1 above)
  };
  await withRun(options, train);
}

async function train(run: ActiveRun): Promise<void> {
  run.on("error", (error) => console.error(`delivery failed for ${error.keys.join(", ")}: ${error.message}`));
  run.on("backpressure", ({ queued }) => console.warn(`${queued} entries buffered; waiting for the server at the end of the epoch`));
  console.log(`run ${run.runId} in experiment ${run.experimentId}`);
  await run.logInput({ name: "simulated-mnist", digest: "5f3c1a2b", source_type: "code", source: '{"generator": "trainStep"}' }, { context: "training" });

  let step = 0;
  for (let epoch = 0; epoch < EPOCHS; epoch++) {
    run.setTag("phase", `epoch-${epoch}`);
    for (let i = 0; i < STEPS_PER_EPOCH; i++, step++) {
      const { loss, accuracy } = trainStep(step);
      run.logMetric("train/loss", loss, { step });
      if (step % 10 === 0) run.logMetrics({ "train/accuracy": accuracy, "train/lr": 0.001 * 0.99 ** epoch }, { step });
    }
    // A child run per epoch's evaluation: mlflow.parentRunId points at the training run.
    await withRun({ nested: true, runName: `eval-epoch-${epoch}` }, async (evalRun) => {
      evalRun.logMetric("eval/accuracy", trainStep(step).accuracy, { step });
      getActiveRun()?.setTag("dataset", "validation");
    });
    try {
      await run.flush({ timeoutMs: 60_000 });
    } catch (error) {
      if (!(error instanceof LogDeliveryError)) throw error;
      console.error(`epoch ${epoch}: ${error.message}`);
    }
    console.log(`epoch ${epoch}: ${JSON.stringify(run.stats())}`);
  }

  run.setTag("phase", "done");
  await run.logJson({ steps: step, finalLoss: trainStep(step).loss }, "summary/metrics.json").catch((error: unknown) => {
    console.error(`summary artifact not uploaded: ${error instanceof Error ? error.message : String(error)}`);
  });
  // withRun ends the run FINISHED when this returns (after a last flush), FAILED if it throws.
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
