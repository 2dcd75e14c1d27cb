/**
 * The TF.js callback never makes training wait on the network: with every `log-batch` response held
 * by the (mocked) server, all the batches of a fit still run, each logging its metrics; the points
 * reach the server once it answers, and `fit` resolves only then (onTrainEnd flushes).
 */
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import * as tfl from "@tensorflow/tfjs-layers";
import { beforeAll, describe, expect, it } from "vitest";
import { mlflowCallback } from "../../../../src/tfjs.js";
import { API, record, useMockServer } from "../../helpers/mock-server.js";
import { batchOf, gate, openTestRun, recordUpdates } from "../../logging/helpers.js";

const server = useMockServer();
beforeAll(async () => {
  await tf.setBackend("cpu");
});

describe("mlflowCallback and the network", () => {
  it("runs every batch while log-batch requests are held, and delivers every point when fit resolves", async () => {
    const held = gate();
    let answered = 0;
    const logBatches = record(server, "post", `${API}/runs/log-batch`, async () => {
      await held.wait();
      answered++;
      return {};
    });
    recordUpdates(server);
    // A 1 ms flush interval: the first points leave at once and their request stays in flight.
    const { run } = await openTestRun(server, { flushIntervalMs: 1 });
    const xs = tf.randomNormal([32, 2], 0, 1, "float32", 3);
    const ys = tf.randomNormal([32, 1], 0, 1, "float32", 4);
    const model = tfl.sequential({ layers: [tfl.layers.dense({ units: 1, inputShape: [2] })] });
    model.compile({ optimizer: "sgd", loss: "meanSquaredError" });

    let batchesEnded = 0;
    let seenAtTrainEnd: { batches: number; requests: number; answered: number } | undefined;
    // Listed first: its onBatchEnd runs before the mlflow callback's, and its onTrainEnd (which opens
    // the gate) before the mlflow callback's flush.
    const observer = new tfl.CustomCallback({
      onBatchEnd: async () => {
        batchesEnded++;
        // After the first batch, let the event loop turn until the first log-batch request is at the server (held).
        for (let turn = 0; batchesEnded === 1 && logBatches.length === 0 && turn < 10_000; turn++) await new Promise((resolve) => setImmediate(resolve));
      },
      onTrainEnd: () => {
        seenAtTrainEnd = { batches: batchesEnded, requests: logBatches.length, answered };
        held.open();
      },
    });
    await model.fit(xs, ys, {
      epochs: 3,
      batchSize: 8,
      verbose: 0,
      callbacks: [observer, mlflowCallback(run, { logEveryNBatches: 1, logModelSummary: false })],
    });

    // 32 samples in batches of 8 for 3 epochs: 12 batches, all run with a request held in flight.
    expect(seenAtTrainEnd).toEqual({ batches: 12, requests: expect.any(Number), answered: 0 });
    expect(seenAtTrainEnd!.requests).toBeGreaterThanOrEqual(1);
    const lossSteps = logBatches.flatMap((request) =>
      batchOf(request)
        .metrics.filter((metric) => metric.key === "loss")
        .map((metric) => metric.step),
    );
    expect(lossSteps.sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    await run.end();
  }, 60_000);
});
