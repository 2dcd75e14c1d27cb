/**
 * What a flavor is: a small module that checks its input before anything is logged, then writes
 * the model's files and its flavor blocks into a folder. `log-model.ts` does the rest (the logged
 * model, `MLmodel`, the example, the environment files, the upload), so a new flavor is one file
 * here and one line in `flavors/index.ts`.
 */
import type { z } from "zod";

/** What writing a flavor produced. */
export interface WrittenFlavor {
  /** Flavor name → block for `MLmodel`: the flavor's own, plus `python_function` when Python can load it. */
  flavors: Record<string, Record<string, unknown>>;
  /** Where the model data is, relative to the model folder (what `loadModel` points at). */
  data: string;
  /**
   * The model's Python requirements (without `mlflow`, added first) when Python loads it; the
   * environment files are written then. `undefined`: no Python environment.
   */
  pythonRequirements?: string[] | undefined;
}

/** A checked flavor input, ready to be written. */
export interface PreparedFlavor {
  /** Writes the model's files into `dir` (an empty folder) and returns the flavor blocks. */
  write(dir: string, context: { pythonVersion: string }): Promise<WrittenFlavor>;
}

/**
 * A flavor module.
 * @typeParam Input - The flavor's own options (at least `flavor` and `model`).
 */
export interface Flavor<Input extends { flavor: string }> {
  readonly name: Input["flavor"];
  /** The zod shape of the flavor's own options, merged into `logModel`'s options. */
  readonly shape: z.ZodRawShape;
  /**
   * Checks the input (files exist, formats are what they claim) before any request.
   * @throws {ValidationError} naming the option, the rule and the fix.
   */
  prepare(input: Input): Promise<PreparedFlavor>;
}
