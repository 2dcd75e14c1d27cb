/**
 * A model signature as MLflow stores it in `MLmodel`: `inputs`, `outputs` and `params`, each a JSON
 * string of column specs (`{"type": "double", "name": "x", "required": true}`) or tensor specs
 * (`{"type": "tensor", "tensor-spec": {"dtype": "float32", "shape": [-1, 3]}}`), written with
 * Python's `json.dumps` spacing (`mlflow/models/signature.py`, `mlflow/types/schema.py`). The
 * schemas are checked here with MLflow's rules, so a signature Python would refuse fails before
 * anything is logged.
 */
import { z } from "zod";
import { ValidationError } from "../core/errors.js";
import { pythonJsonDumps } from "../core/python-format.js";

/** MLflow's column types (`mlflow.types.DataType`). */
export const COLUMN_TYPES = ["boolean", "integer", "long", "float", "double", "string", "binary", "datetime"] as const;
/** A column type. */
export type ColumnType = (typeof COLUMN_TYPES)[number];

/** numpy dtypes a tensor spec may name. */
export const TENSOR_DTYPES = [
  "bool",
  "int8",
  "int16",
  "int32",
  "int64",
  "uint8",
  "uint16",
  "uint32",
  "uint64",
  "float16",
  "float32",
  "float64",
  "str",
  "bytes",
  "object",
] as const;
/** A tensor's numpy dtype. */
export type TensorDtype = (typeof TENSOR_DTYPES)[number];

/** A column of a tabular input or output. */
export interface ColumnSpec {
  type: ColumnType;
  /** Column name; all columns of a schema are named, or none is. */
  name?: string | undefined;
  /** @defaultValue true */
  required?: boolean | undefined;
}

/** A tensor input or output: numpy dtype and shape (`-1` for a free dimension, e.g. the batch). */
export interface TensorSpec {
  type: "tensor";
  dtype: TensorDtype;
  shape: number[];
  name?: string | undefined;
}

/** An inference parameter (`params` of a signature): name, type, default and optional shape (`[-1]` for a list). */
export interface ParamSpec {
  name: string;
  type: ColumnType;
  default: unknown;
  shape?: number[] | null | undefined;
}

/**
 * What a model takes and returns, as `mlflow.models.ModelSignature`.
 *
 * @example
 * const signature: ModelSignature = {
 *   inputs: [{ type: "tensor", dtype: "float32", shape: [-1, 3] }],
 *   outputs: [{ type: "tensor", dtype: "float32", shape: [-1, 1] }],
 * };
 */
export interface ModelSignature {
  inputs: (ColumnSpec | TensorSpec)[];
  outputs?: (ColumnSpec | TensorSpec)[] | undefined;
  params?: ParamSpec[] | undefined;
}

/** The `signature` block of `MLmodel`: each part a JSON string, `null` when absent. */
export interface SignatureBlock {
  inputs: string | null;
  outputs: string | null;
  params: string | null;
}

const columnSpec = z.strictObject({ type: z.enum(COLUMN_TYPES), name: z.string().min(1).optional(), required: z.boolean().optional() });
const tensorSpec = z.strictObject({
  type: z.literal("tensor"),
  dtype: z.enum(TENSOR_DTYPES),
  shape: z.array(z.number().int().min(-1)),
  name: z.string().min(1).optional(),
});
const paramSpec = z.strictObject({
  name: z.string().min(1),
  type: z.enum(COLUMN_TYPES),
  default: z.unknown(),
  shape: z.array(z.number().int().min(-1)).nullable().optional(),
});
const schema = z.array(z.union([tensorSpec, columnSpec])).min(1);

/** zod schema of {@link ModelSignature}. @internal */
export const modelSignatureSchema = z.strictObject({ inputs: schema, outputs: schema.optional(), params: z.array(paramSpec).min(1).optional() });

/**
 * Checks a signature with MLflow's rules and returns its `MLmodel` block.
 *
 * @throws {ValidationError} (rule `signature`) naming the part and the rule: a mix of tensors and
 *   columns, of named and unnamed specs, or a repeated name.
 * @example
 * signatureBlock({ inputs: [{ type: "tensor", dtype: "float32", shape: [-1, 3] }] });
 * // { inputs: '[{"type": "tensor", "tensor-spec": {"dtype": "float32", "shape": [-1, 3]}}]', outputs: null, params: null }
 */
export function signatureBlock(signature: ModelSignature): SignatureBlock {
  const parsed = modelSignatureSchema.safeParse(signature);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ValidationError(
      `signature.${issue.path.join(".")}`,
      "signature",
      `The model signature is invalid at "${issue.path.join(".")}": ${issue.message}. Fix: describe each input as { type: "tensor", dtype, shape } or { type: "double", name }.`,
    );
  }
  const { inputs, outputs, params } = parsed.data;
  return {
    inputs: schemaJson("inputs", inputs),
    outputs: outputs === undefined ? null : schemaJson("outputs", outputs),
    params: params === undefined ? null : paramsJson(params),
  };
}

function schemaJson(part: string, specs: z.infer<typeof schema>): string {
  const tensors = specs.filter((spec) => spec.type === "tensor").length;
  if (tensors !== 0 && tensors !== specs.length) invalid(part, "mixes tensor specs and column specs, which MLflow refuses");
  const named = specs.filter((spec) => spec.name !== undefined).length;
  if (named !== 0 && named !== specs.length) invalid(part, "mixes named and unnamed specs, which MLflow refuses");
  const names = specs.map((spec) => spec.name).filter((name) => name !== undefined);
  if (new Set(names).size !== names.length) invalid(part, `repeats a name (${names.join(", ")})`);
  return pythonJsonDumps(
    specs.map((spec) =>
      spec.type === "tensor"
        ? { ...(spec.name === undefined ? {} : { name: spec.name }), type: "tensor", "tensor-spec": { dtype: spec.dtype, shape: spec.shape } }
        : { type: spec.type, ...(spec.name === undefined ? {} : { name: spec.name }), required: spec.required ?? true },
    ),
  );
}

function paramsJson(params: z.infer<typeof paramSpec>[]): string {
  const names = params.map((param) => param.name);
  if (new Set(names).size !== names.length) invalid("params", `repeats a name (${names.join(", ")})`);
  return pythonJsonDumps(params.map((param) => ({ name: param.name, default: param.default ?? null, shape: param.shape ?? null, type: param.type })));
}

function invalid(part: string, rule: string): never {
  throw new ValidationError(
    `signature.${part}`,
    "signature",
    `The model signature's ${part} ${rule}. Fix: use only tensor specs or only column specs, all named or none.`,
  );
}
