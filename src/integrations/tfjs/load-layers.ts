/**
 * Finds TF.js's `Callback` class at run time, the first time a callback is made. `model.fit` only
 * gives `model` and `params` to callbacks that are instances of its own `BaseCallback` (anything
 * else is wrapped as plain hooks), so the mlflow-ts callback has to extend TF.js's class — yet
 * mlflow-ts must load in a project without TF.js, so it cannot import it at the top of a module.
 * It is required (Node loads TF.js's CommonJS build for `import` too, so this is the same instance
 * the user's `import * as tf` got) from the project first, then from mlflow-ts's own location.
 */
import { createRequire } from "node:module";
import { join } from "node:path";
import { ValidationError } from "../../core/errors.js";
import type { TfjsCallbackHooks, TfjsFitParams, TfjsLayersModelLike } from "./shapes.js";

/** Packages that export tfjs-layers' `Callback`, in the order they are tried. */
const PACKAGES = ["@tensorflow/tfjs-layers", "@tensorflow/tfjs", "@tensorflow/tfjs-node", "@tensorflow/tfjs-node-gpu"] as const;

/** TF.js's `Callback` (tfjs-layers `callbacks.js`): what a subclass sees and overrides. @internal */
export interface TfjsCallbackBase extends TfjsCallbackHooks {
  model?: TfjsLayersModelLike;
  params?: TfjsFitParams;
}

/** The constructor of {@link TfjsCallbackBase}. @internal */
export type TfjsCallbackClass = new () => TfjsCallbackBase;

let cached: TfjsCallbackClass | undefined;

/**
 * TF.js's `Callback` class, from the first of {@link PACKAGES} that loads.
 * @throws {ValidationError} `tfjs-not-found` when none does.
 * @internal
 */
export function tfjsCallbackClass(): TfjsCallbackClass {
  if (cached !== undefined) return cached;
  const requirers = [createRequire(join(process.cwd(), "noop.js")), createRequire(import.meta.url)];
  for (const name of PACKAGES) {
    for (const require of requirers) {
      let exported: { Callback?: unknown } | undefined;
      try {
        exported = require(name) as { Callback?: unknown };
      } catch {
        continue;
      }
      if (typeof exported?.Callback === "function") {
        cached = exported.Callback as TfjsCallbackClass;
        return cached;
      }
    }
  }
  throw new ValidationError(
    "@tensorflow/tfjs",
    "tfjs-not-found",
    `mlflowCallback needs TensorFlow.js, and none of ${PACKAGES.join(", ")} could be loaded from ${process.cwd()}. ` +
      "Fix: npm install @tensorflow/tfjs (pure JavaScript, no native download), or @tensorflow/tfjs-node for faster training.",
  );
}
