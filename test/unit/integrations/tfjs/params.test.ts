/**
 * The optimizer params of the TF.js callback under Keras's names, for each optimizer TF.js has
 * (real tf.train optimizers, read through getClassName/getConfig as the callback reads them).
 */
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { beforeAll, describe, expect, it } from "vitest";
import { optimizerParams } from "../../../../src/integrations/tfjs/params.js";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

describe("optimizerParams names a TF.js optimizer's settings as Keras's get_config() does", () => {
  it.each([
    ["sgd", () => tf.train.sgd(0.1), { opt_name: "SGD", opt_learning_rate: "0.1" }],
    ["momentum", () => tf.train.momentum(0.1, 0.9, true), { opt_name: "SGD", opt_learning_rate: "0.1", opt_momentum: "0.9", opt_nesterov: "True" }],
    [
      "adam",
      () => tf.train.adam(0.001, 0.9, 0.999, 1e-8),
      { opt_name: "adam", opt_learning_rate: "0.001", opt_beta_1: "0.9", opt_beta_2: "0.999", opt_epsilon: "1e-08" },
    ],
    [
      "rmsprop",
      () => tf.train.rmsprop(0.01, 0.9, 0, 1e-7, true),
      { opt_name: "rmsprop", opt_learning_rate: "0.01", opt_rho: "0.9", opt_momentum: "0", opt_epsilon: "1e-07", opt_centered: "True" },
    ],
    ["adagrad", () => tf.train.adagrad(0.01, 0.1), { opt_name: "adagrad", opt_learning_rate: "0.01", opt_initial_accumulator_value: "0.1" }],
    ["adadelta", () => tf.train.adadelta(1, 0.95, 1e-7), { opt_name: "adadelta", opt_learning_rate: "1", opt_rho: "0.95", opt_epsilon: "1e-07" }],
    [
      "adamax",
      () => tf.train.adamax(0.002, 0.9, 0.999, 1e-7, 0),
      { opt_name: "adamax", opt_learning_rate: "0.002", opt_beta_1: "0.9", opt_beta_2: "0.999", opt_epsilon: "1e-07", opt_decay: "0" },
    ],
  ])("%s", (_, make, expected) => {
    expect(optimizerParams(make())).toEqual(expected);
  });

  it("logs nothing for a model compiled without an optimizer", () => {
    expect(optimizerParams(undefined)).toEqual({});
  });

  it("keeps an unknown optimizer's own class name and snake-cases its keys", () => {
    expect(optimizerParams({ getClassName: () => "Lion", getConfig: () => ({ learningRate: 1e-4, weightDecayRate: 0.5 }) })).toEqual({
      opt_name: "Lion",
      opt_learning_rate: "0.0001",
      opt_weight_decay_rate: "0.5",
    });
  });
});
