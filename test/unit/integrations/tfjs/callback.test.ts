/**
 * mlflowCallback with real TF.js (pure JavaScript, CPU backend) training tiny models on generated
 * data, logged to the embedded store in a temp folder (no network): what lands in the run is read
 * back through the client — metric histories and their steps, params under MLflow's Keras autolog
 * names, the summary artifact, early stopping's metrics, the logged model — and bad input is refused
 * at the call with an error naming the key, the rule and the fix.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import * as tfl from "@tensorflow/tfjs-layers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MlflowClient } from "../../../../src/client/client.js";
import { ValidationError } from "../../../../src/core/errors.js";
import { startRun } from "../../../../src/logging/fluent.js";
import { loadModel } from "../../../../src/logging/fluent-models.js";
import type { ActiveRun } from "../../../../src/logging/run.js";
import { mlflowCallback } from "../../../../src/tfjs.js";
import { fileTree } from "../../helpers/file-tree.js";
import { removeTempDirs, sqliteClient, tempDir } from "../../store/sqlite/helpers.js";

let client: MlflowClient;
beforeAll(async () => {
  await tf.setBackend("cpu");
  client = sqliteClient(tempDir());
});
afterAll(async () => {
  await client.close();
  removeTempDirs();
});

/** 32 samples of y = 2x₀ − x₁ + noise, the same every time. */
function data(samples = 32): { xs: tf.Tensor2D; ys: tf.Tensor2D } {
  const xs = tf.randomNormal([samples, 2], 0, 1, "float32", 11) as tf.Tensor2D;
  const ys = tf.tidy(() => tf.add(tf.matMul(xs, tf.tensor2d([[2], [-1]])), tf.randomNormal([samples, 1], 0, 0.1, "float32", 12))) as tf.Tensor2D;
  return { xs, ys };
}

function model(learningRate = 0.01): tfl.Sequential {
  const built = tfl.sequential({
    layers: [
      tfl.layers.dense({ units: 3, inputShape: [2], activation: "relu", kernelInitializer: tfl.initializers.glorotUniform({ seed: 1 }) }),
      tfl.layers.dense({ units: 1, kernelInitializer: tfl.initializers.glorotUniform({ seed: 2 }) }),
    ],
  });
  built.compile({ optimizer: tf.train.adam(learningRate), loss: "meanSquaredError" });
  return built;
}

async function newRun(): Promise<ActiveRun> {
  return startRun({ client, exitHooks: false });
}

async function history(runId: string, key: string): Promise<{ step: number; value: number }[]> {
  const points = [];
  for await (const point of client.metrics.getHistory(runId, key)) points.push({ step: Number(point.step), value: point.value as number });
  return points.sort((a, b) => a.step - b.step);
}

async function params(runId: string): Promise<Record<string, string>> {
  return (await client.runs.get(runId)).data.paramsByKey;
}

describe("mlflowCallback on model.fit", () => {
  it("logs one point per epoch at step = epoch, the same values fit's history holds", async () => {
    const run = await newRun();
    const { xs, ys } = data();
    const trained = await model().fit(xs, ys, { epochs: 3, batchSize: 8, validationSplit: 0.25, verbose: 0, callbacks: [mlflowCallback(run)] });
    await run.end();

    const loss = await history(run.runId, "loss");
    expect(loss.map((point) => point.step)).toEqual([0, 1, 2]);
    expect(loss.map((point) => point.value)).toEqual(trained.history.loss);
    const valLoss = await history(run.runId, "val_loss");
    expect(valLoss.map((point) => point.step)).toEqual([0, 1, 2]);
    expect(valLoss.map((point) => point.value)).toEqual(trained.history.val_loss);
    // MLflow's on_test_end name for the validation pass, at the epoch's step.
    expect(await history(run.runId, "validation_loss")).toEqual(valLoss);
  }, 60_000);

  it("logs the fit, optimizer and size params under MLflow's Keras autolog names", async () => {
    const run = await newRun();
    const { xs, ys } = data();
    await model(0.01).fit(xs, ys, { epochs: 2, batchSize: 8, verbose: 0, callbacks: [mlflowCallback(run)] });
    await run.end();
    expect(await params(run.runId)).toEqual({
      epochs: "2",
      batch_size: "8",
      initial_epoch: "0",
      steps_per_epoch: "None",
      opt_name: "adam",
      opt_learning_rate: "0.01",
      opt_beta_1: "0.9",
      opt_beta_2: "0.999",
      opt_epsilon: "1e-07",
      num_layers: "2",
      // dense 2→3 (6 + 3) and 3→1 (3 + 1)
      total_params: "13",
      trainable_params: "13",
      non_trainable_params: "0",
    });
  }, 60_000);

  it("uploads the trained model's summary as model_summary.txt", async () => {
    const run = await newRun();
    const trainedModel = model();
    const { xs, ys } = data();
    await trainedModel.fit(xs, ys, { epochs: 1, verbose: 0, callbacks: [mlflowCallback(run)] });
    await run.end();
    const printed: string[] = [];
    trainedModel.summary(undefined, undefined, (line?: unknown) => printed.push(String(line)));
    const dest = tempDir();
    await client.artifacts.download(run.runId, "model_summary.txt", dest);
    const summary = readFileSync(join(dest, "model_summary.txt"), "utf8");
    // TF.js trains a Sequential's inner functional model, whose summary adds its input layer's row.
    for (const line of printed) expect(summary.split("\n")).toContain(line);
    expect(summary).toMatch(/^dense_Dense\d+_input \(InputLa/m);
    expect(summary).toContain("Total params: 13");
  }, 60_000);

  it("logs nothing but params with logModelSummary: false", async () => {
    const run = await newRun();
    const { xs, ys } = data();
    await model().fit(xs, ys, { epochs: 1, verbose: 0, callbacks: [mlflowCallback(run, { logModelSummary: false })] });
    await run.end();
    expect(await client.artifacts.list(run.runId)).toEqual([]);
  }, 60_000);

  it("every N batches: metrics at step = batches trained so far, and no per-epoch points", async () => {
    const run = await newRun();
    const { xs, ys } = data(32);
    // 32 samples in batches of 8: 4 batches an epoch, 12 in 3 epochs; every 5th → steps 5 and 10.
    await model().fit(xs, ys, { epochs: 3, batchSize: 8, verbose: 0, callbacks: [mlflowCallback(run, { logEveryNBatches: 5 })] });
    await run.end();
    const loss = await history(run.runId, "loss");
    expect(loss.map((point) => point.step)).toEqual([5, 10]);
    for (const point of loss) expect(Number.isFinite(point.value)).toBe(true);
    expect(await history(run.runId, "batch")).toEqual([]);
    expect(await history(run.runId, "size")).toEqual([]);
  }, 60_000);

  it("keeps counting batches across two fits with the same callback, as Keras's optimizer.iterations does", async () => {
    const run = await newRun();
    const { xs, ys } = data(32);
    const callback = mlflowCallback(run, { logEveryNBatches: 3 });
    const trainedModel = model();
    await trainedModel.fit(xs, ys, { epochs: 1, batchSize: 8, verbose: 0, callbacks: [callback] });
    await trainedModel.fit(xs, ys, { epochs: 1, batchSize: 8, verbose: 0, callbacks: [callback] });
    await run.end();
    expect((await history(run.runId, "loss")).map((point) => point.step)).toEqual([3, 6]);
  }, 60_000);
});

describe("mlflowCallback on model.fitDataset", () => {
  it("takes batch_size from the first batch and initial_epoch from the first epoch", async () => {
    const run = await newRun();
    const { xs, ys } = data(32);
    // A tf.data-like dataset of 4 batches of 8 (fitDataset disposes each batch: a fresh copy each time).
    const dataset = {
      iterator: async () => {
        let next = 0;
        const batch = (i: number) => ({ xs: tf.slice(xs, i * 8, 8), ys: tf.slice(ys, i * 8, 8) });
        return { next: async () => (next < 4 ? { value: batch(next++), done: false } : { value: undefined, done: true }) };
      },
    };
    await model().fitDataset(dataset as never, { epochs: 3, initialEpoch: 1, verbose: 0, callbacks: [mlflowCallback(run)] });
    await run.end();
    expect(await params(run.runId)).toMatchObject({ epochs: "3", batch_size: "8", initial_epoch: "1", steps_per_epoch: "None" });
    expect((await history(run.runId, "loss")).map((point) => point.step)).toEqual([1, 2]);
  }, 60_000);
});

describe("mlflowCallback with early stopping", () => {
  it("logs its settings as params and stopped_epoch when it stops the training", async () => {
    const run = await newRun();
    const { xs, ys } = data();
    // A loss never improves by 10: the first epoch sets the best, the second runs out of patience.
    const early = tfl.callbacks.earlyStopping({ monitor: "loss", minDelta: 10, patience: 1 });
    await model().fit(xs, ys, { epochs: 10, verbose: 0, callbacks: [early, mlflowCallback(run, { earlyStopping: early })] });
    await run.end();
    expect(await params(run.runId)).toMatchObject({ monitor: "loss", min_delta: "-10", patience: "1", baseline: "None", restore_best_weights: "False" });
    expect(await history(run.runId, "stopped_epoch")).toEqual([{ step: 0, value: 1 }]);
    expect((await history(run.runId, "loss")).map((point) => point.step)).toEqual([0, 1]);
    expect(await history(run.runId, "restored_epoch")).toEqual([]);
  }, 60_000);

  it("logs restored_epoch and that epoch's metrics at step stopped_epoch + 1 for one that restores the best weights", async () => {
    /** TF.js's EarlyStopping refuses restoreBestWeights; this one keeps the best epoch's weights as Keras's does. */
    class RestoringEarlyStopping extends tfl.EarlyStopping {
      readonly restoreBestWeights = true;
      bestWeights: tf.Tensor[] | null = null;
      override async onEpochEnd(epoch: number, logs?: tfl.Logs): Promise<void> {
        await super.onEpochEnd(epoch, logs);
        if ((this as unknown as { wait: number }).wait === 0) this.bestWeights = this.model.getWeights();
      }
    }
    const run = await newRun();
    const { xs, ys } = data();
    const early = new RestoringEarlyStopping({ monitor: "loss", minDelta: 10, patience: 2 });
    const trained = await model().fit(xs, ys, { epochs: 10, verbose: 0, callbacks: [early, mlflowCallback(run, { earlyStopping: early })] });
    await run.end();
    expect(await params(run.runId)).toMatchObject({ restore_best_weights: "True" });
    expect(await history(run.runId, "stopped_epoch")).toEqual([{ step: 0, value: 2 }]);
    expect(await history(run.runId, "restored_epoch")).toEqual([{ step: 0, value: 0 }]);
    const firstLoss = (trained.history.loss as number[])[0]!;
    expect(await history(run.runId, "loss")).toEqual([
      { step: 0, value: firstLoss },
      { step: 1, value: (trained.history.loss as number[])[1] },
      { step: 2, value: (trained.history.loss as number[])[2] },
      { step: 3, value: firstLoss },
    ]);
  }, 60_000);
});

describe("mlflowCallback({ logModel })", () => {
  it("logs the trained model as the tfjs flavor named model, and registers it when asked", async () => {
    const run = await newRun();
    const { xs, ys } = data();
    const name = `tfjs-callback-${Date.now()}`;
    const callback = mlflowCallback(run, { logModel: { registeredModelName: name } });
    await model().fit(xs, ys, { epochs: 1, verbose: 0, callbacks: [callback] });
    await run.end();
    expect(callback.modelInfo?.name).toBe("model");
    expect(callback.modelInfo?.mlmodel.flavors).toHaveProperty("tfjs");
    expect(callback.modelInfo?.registeredModelVersion).toMatchObject({ name, version: "1" });
    expect(callback.modelInfo?.loggedModel?.info.source_run_id).toBe(run.runId);
    const loaded = await loadModel(callback.modelInfo!.modelUri, { client, destDir: tempDir() });
    expect(loaded.flavor).toBe("tfjs");
    expect(Object.keys(fileTree(loaded.dataPath)).sort()).toEqual(["model.json", "weights.bin"]);
  }, 60_000);
});

describe("mlflowCallback refuses bad input at the call", () => {
  function refusal(fn: () => unknown): ValidationError {
    try {
      fn();
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as Error).message).toMatch(/Fix: .+\.$/);
      return error as ValidationError;
    }
    throw new Error("expected a ValidationError");
  }

  it("without a run", () => {
    const error = refusal(() => mlflowCallback(undefined as unknown as ActiveRun));
    expect(error).toMatchObject({ key: "run", rule: "callback-run" });
    expect(error.message).toContain("got undefined");
    expect(refusal(() => mlflowCallback({ runId: "x" } as unknown as ActiveRun))).toMatchObject({ rule: "callback-run" });
  });

  it("with a run that has ended", async () => {
    const run = await newRun();
    await run.end();
    expect(refusal(() => mlflowCallback(run))).toMatchObject({ key: "run", rule: "run-ended" });
  });

  it("when the run ends before training starts: fit fails with run-ended", async () => {
    const run = await newRun();
    const callback = mlflowCallback(run);
    await run.end();
    const { xs, ys } = data();
    await expect(model().fit(xs, ys, { epochs: 1, verbose: 0, callbacks: [callback] })).rejects.toMatchObject({ key: "run", rule: "run-ended" });
  }, 60_000);

  it.each([0, -1, 1.5, Number.NaN])("with logEveryNBatches %s", async (every) => {
    const run = await newRun();
    const error = refusal(() => mlflowCallback(run, { logEveryNBatches: every }));
    expect(error).toMatchObject({ key: "logEveryNBatches", rule: "callback-option" });
    expect(error.message).toContain("whole number of batches of at least 1");
    await run.end();
  });

  it("with both per-epoch and every-N-batches logging, or neither", async () => {
    const run = await newRun();
    expect(refusal(() => mlflowCallback(run, { logEveryEpoch: true, logEveryNBatches: 10 })).message).toContain("per epoch or every N batches, not both");
    expect(refusal(() => mlflowCallback(run, { logEveryEpoch: false })).message).toContain("no metric would be logged");
    await run.end();
  });

  it("with an unknown option, or an early stopping that is not one", async () => {
    const run = await newRun();
    const unknown = refusal(() => mlflowCallback(run, { logEveryEpochs: true } as never));
    expect(unknown).toMatchObject({ key: "logEveryEpochs", rule: "callback-option" });
    expect(unknown.message).toContain("valid options: logEveryEpoch, logEveryNBatches");
    expect(refusal(() => mlflowCallback(run, { earlyStopping: {} as never }))).toMatchObject({ key: "earlyStopping", rule: "callback-option" });
    await run.end();
  });

  it("with a logModel option run.logModel would refuse, before any training", async () => {
    const run = await newRun();
    expect(refusal(() => mlflowCallback(run, { logModel: { registeredModelNam: "churn" } as never }))).toMatchObject({
      key: "registeredModelNam",
      rule: "model-option",
    });
    expect(refusal(() => mlflowCallback(run, { logModel: { registeredModelName: "" } }))).toMatchObject({ key: "registeredModelName", rule: "model-option" });
    await run.end();
  });

  it("when another TF.js copy wraps the callback as plain hooks: a clear error, not a crash inside TF.js", async () => {
    const run = await newRun();
    const wrapped = new tfl.CustomCallback(mlflowCallback(run) as unknown as tfl.CustomCallbackArgs);
    await expect(wrapped.onTrainBegin()).rejects.toMatchObject({ rule: "tfjs-copies" });
    await run.end();
  });
});
