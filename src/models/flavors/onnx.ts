/**
 * The `onnx` flavor, as `mlflow.onnx.save_model` writes it: `model.onnx` at the root, the `onnx`
 * block (data, providers, session options, onnx version) and a `python_function` block with
 * `loader_module: mlflow.onnx`, so that `mlflow.pyfunc.load_model` runs the model with onnxruntime
 * and `mlflow models serve` serves it. The model comes as the bytes of a serialized `ModelProto`
 * or the path of a `.onnx` file; mlflow-ts checks it is one (its first field is the IR version)
 * without parsing the graph — Python's loader is the judge of the graph.
 */
import { open, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import { ValidationError } from "../../core/errors.js";
import { TARGET_ONNX_VERSION, TARGET_ONNXRUNTIME_VERSION } from "../targets.js";
import type { Flavor, PreparedFlavor } from "./flavor.js";
import { placeFile } from "./place-files.js";

/** The model file inside the model folder. */
export const ONNX_MODEL_FILE = "model.onnx";
/** Execution providers MLflow declares by default: CUDA first, then the CPU. */
export const DEFAULT_ONNX_EXECUTION_PROVIDERS = ["CUDAExecutionProvider", "CPUExecutionProvider"] as const;

/** onnxruntime `SessionOptions` MLflow applies when it loads the model. */
export interface OnnxSessionOptions {
  graph_optimization_level?: 0 | 1 | 2 | 99 | undefined;
  intra_op_num_threads?: number | undefined;
  inter_op_num_threads?: number | undefined;
  execution_mode?: "sequential" | "parallel" | undefined;
  extra_session_config?: Record<string, string> | undefined;
}

/**
 * Options of an ONNX model.
 * @example
 * await run.logModel({ flavor: "onnx", model: "out/churn.onnx", inputExample: { type: "ndarray", data: [[0.2, 1.5, 3]] } });
 */
export interface OnnxModelInput {
  flavor: "onnx";
  /** The model: a serialized `ModelProto` (`Uint8Array`), or the path of a `.onnx` file. */
  model: Uint8Array | string;
  /** onnxruntime execution providers, in order of preference. @defaultValue ["CUDAExecutionProvider", "CPUExecutionProvider"] */
  onnxExecutionProviders?: (string | [string, Record<string, unknown>])[] | undefined;
  /** onnxruntime session options. @defaultValue none */
  onnxSessionOptions?: OnnxSessionOptions | undefined;
}

const sessionOptions = z.strictObject({
  graph_optimization_level: z.union([z.literal(0), z.literal(1), z.literal(2), z.literal(99)]).optional(),
  intra_op_num_threads: z.number().int().min(0).optional(),
  inter_op_num_threads: z.number().int().min(0).optional(),
  execution_mode: z.enum(["sequential", "parallel"]).optional(),
  extra_session_config: z.record(z.string(), z.string()).optional(),
});

/** The `onnx` flavor. @internal */
export const onnxFlavor: Flavor<OnnxModelInput> = {
  name: "onnx",
  shape: {
    flavor: z.literal("onnx"),
    model: z.union([z.instanceof(Uint8Array), z.string().min(1)]),
    onnxExecutionProviders: z
      .array(z.union([z.string().min(1), z.tuple([z.string().min(1), z.record(z.string(), z.unknown())])]))
      .min(1)
      .optional(),
    onnxSessionOptions: sessionOptions.optional(),
  },
  async prepare(input: OnnxModelInput): Promise<PreparedFlavor> {
    const source = typeof input.model === "string" ? await checkOnnxFile(input.model) : checkOnnxBytes(input.model, "the given bytes");
    return {
      async write(dir, { pythonVersion }) {
        if (source.kind === "file") await placeFile(source.path, join(dir, ONNX_MODEL_FILE));
        else await writeFile(join(dir, ONNX_MODEL_FILE), source.bytes);
        const onnx = {
          code: null,
          data: ONNX_MODEL_FILE,
          onnx_session_options: input.onnxSessionOptions ?? null,
          onnx_version: TARGET_ONNX_VERSION,
          providers: input.onnxExecutionProviders ?? [...DEFAULT_ONNX_EXECUTION_PROVIDERS],
        };
        const pyfunc = {
          data: ONNX_MODEL_FILE,
          env: { conda: "conda.yaml", virtualenv: "python_env.yaml" },
          loader_module: "mlflow.onnx",
          python_version: pythonVersion,
        };
        return {
          flavors: { onnx, python_function: pyfunc },
          data: ONNX_MODEL_FILE,
          pythonRequirements: [`onnx==${TARGET_ONNX_VERSION}`, `onnxruntime==${TARGET_ONNXRUNTIME_VERSION}`],
        };
      },
    };
  },
};

type OnnxSource = { kind: "file"; path: string } | { kind: "bytes"; bytes: Uint8Array };

async function checkOnnxFile(path: string): Promise<OnnxSource> {
  const info = await stat(path).catch(() => undefined);
  if (info?.isDirectory()) {
    const inside = join(path, ONNX_MODEL_FILE);
    if (!(await stat(inside).catch(() => undefined))?.isFile()) {
      throw new ValidationError(
        "model",
        "onnx-model-missing",
        `The folder ${path} has no ${ONNX_MODEL_FILE}. Fix: pass the path of the .onnx file itself, or save the model as ${inside}.`,
      );
    }
    return checkOnnxFile(inside);
  }
  if (!info?.isFile())
    throw new ValidationError(
      "model",
      "onnx-model-missing",
      `The ONNX model file ${path} does not exist. Fix: pass the path of the .onnx file your exporter wrote, or the model's bytes.`,
    );
  const handle = await open(path, "r");
  try {
    const head = Buffer.alloc(16);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    checkOnnxBytes(head.subarray(0, bytesRead), path);
  } finally {
    await handle.close();
  }
  return { kind: "file", path };
}

/**
 * A serialized ONNX `ModelProto` starts with field 1 (`ir_version`, a varint): the byte `0x08`
 * and a small positive number. Anything else is not an ONNX model.
 */
function checkOnnxBytes(bytes: Uint8Array, what: string): OnnxSource {
  const irVersion = bytes.length >= 2 && bytes[0] === 0x08 ? bytes[1]! : 0;
  if (irVersion < 1 || irVersion > 0x7f) {
    throw new ValidationError(
      "model",
      "onnx-model-format",
      `${what} ${bytes.length === 0 ? "is empty" : "is not a serialized ONNX model (it does not start with an ir_version field)"}. Fix: pass the bytes of ModelProto.encode(model).finish() or the .onnx file an exporter wrote.`,
    );
  }
  return { kind: "bytes", bytes };
}
