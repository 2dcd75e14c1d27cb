/**
 * A model trained in Node and written as ONNX, for the model hand-off example and its tests: a
 * logistic regression fitted by gradient descent on generated data, its predictions computed in
 * Node, and the same function as an ONNX graph (MatMul → Add → Sigmoid, float64) that onnxruntime
 * runs in Python. The graph is encoded with protobufjs from ONNX's own message definitions (the
 * subset used, with the field numbers of onnx/onnx.proto in onnx 1.23), not written byte by byte.
 */
import protobuf from "protobufjs";

/** A fitted model: one weight per feature and a bias. */
export interface LogisticRegression {
  weights: number[];
  bias: number;
}

/** Generated data: `features` rows and 0/1 `labels` from a known rule plus noise, reproducible by `seed`. */
export function generateData(rows: number, features: number, seed = 42): { x: number[][]; y: number[] } {
  let state = seed >>> 0;
  const random = (): number => {
    // mulberry32: a small, well-known PRNG, so the data is the same on every run.
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const truth = Array.from({ length: features }, (_, i) => (i % 2 === 0 ? 1.5 : -2) / (i + 1));
  const x = Array.from({ length: rows }, () => Array.from({ length: features }, () => random() * 4 - 2));
  const y = x.map((row) => (row.reduce((sum, value, i) => sum + value * truth[i]!, 0.25) + (random() - 0.5) > 0 ? 1 : 0));
  return { x, y };
}

/** Fits by full-batch gradient descent on the log loss; `onEpoch` sees the loss of each epoch. */
export function fit(
  x: number[][],
  y: number[],
  options: { epochs: number; learningRate: number; onEpoch?: (epoch: number, loss: number) => void },
): LogisticRegression {
  const features = x[0]?.length ?? 0;
  const model: LogisticRegression = { weights: new Array<number>(features).fill(0), bias: 0 };
  for (let epoch = 0; epoch < options.epochs; epoch++) {
    const gradient = new Array<number>(features).fill(0);
    let gradientBias = 0;
    let loss = 0;
    const p = predict(model, x);
    for (let row = 0; row < x.length; row++) {
      const error = p[row]! - y[row]!;
      for (let i = 0; i < features; i++) gradient[i]! += error * x[row]![i]!;
      gradientBias += error;
      loss -= y[row]! * Math.log(p[row]! + 1e-12) + (1 - y[row]!) * Math.log(1 - p[row]! + 1e-12);
    }
    for (let i = 0; i < features; i++) model.weights[i]! -= (options.learningRate * gradient[i]!) / x.length;
    model.bias -= (options.learningRate * gradientBias) / x.length;
    options.onEpoch?.(epoch, loss / x.length);
  }
  return model;
}

/** P(y = 1) for each row, in float64 — the same arithmetic the ONNX graph does. */
export function predict(model: LogisticRegression, x: number[][]): number[] {
  return x.map((row) => 1 / (1 + Math.exp(-(row.reduce((sum, value, i) => sum + value * model.weights[i]!, 0) + model.bias))));
}

// The ONNX messages the graph uses, as declared in onnx/onnx.proto (field numbers must match).
const onnxSchema = protobuf.Root.fromJSON({
  nested: {
    onnx: {
      nested: {
        ModelProto: {
          fields: {
            ir_version: { type: "int64", id: 1 },
            producer_name: { type: "string", id: 2 },
            producer_version: { type: "string", id: 3 },
            graph: { type: "GraphProto", id: 7 },
            opset_import: { rule: "repeated", type: "OperatorSetIdProto", id: 8 },
          },
        },
        OperatorSetIdProto: { fields: { domain: { type: "string", id: 1 }, version: { type: "int64", id: 2 } } },
        GraphProto: {
          fields: {
            node: { rule: "repeated", type: "NodeProto", id: 1 },
            name: { type: "string", id: 2 },
            initializer: { rule: "repeated", type: "TensorProto", id: 5 },
            input: { rule: "repeated", type: "ValueInfoProto", id: 11 },
            output: { rule: "repeated", type: "ValueInfoProto", id: 12 },
          },
        },
        NodeProto: {
          fields: {
            input: { rule: "repeated", type: "string", id: 1 },
            output: { rule: "repeated", type: "string", id: 2 },
            name: { type: "string", id: 3 },
            op_type: { type: "string", id: 4 },
          },
        },
        TensorProto: {
          fields: {
            dims: { rule: "repeated", type: "int64", id: 1 },
            data_type: { type: "int32", id: 2 },
            name: { type: "string", id: 8 },
            double_data: { rule: "repeated", type: "double", id: 10, options: { packed: true } },
          },
        },
        ValueInfoProto: { fields: { name: { type: "string", id: 1 }, type: { type: "TypeProto", id: 2 } } },
        TypeProto: {
          fields: { tensor_type: { type: "Tensor", id: 1 } },
          nested: { Tensor: { fields: { elem_type: { type: "int32", id: 1 }, shape: { type: "TensorShapeProto", id: 2 } } } },
        },
        TensorShapeProto: {
          fields: { dim: { rule: "repeated", type: "Dimension", id: 1 } },
          nested: {
            Dimension: {
              oneofs: { value: { oneof: ["dim_value", "dim_param"] } },
              fields: { dim_value: { type: "int64", id: 1 }, dim_param: { type: "string", id: 2 } },
            },
          },
        },
      },
    },
  },
});

/** `TensorProto.DataType.DOUBLE`. */
const DOUBLE = 11;

/**
 * The model as a serialized ONNX `ModelProto`: input `x` [batch, features] float64, output
 * `probability` [batch, 1] = Sigmoid(MatMul(x, W) + B). IR version 8, opset 17.
 */
export function toOnnx(model: LogisticRegression): Uint8Array {
  const features = model.weights.length;
  const tensorType = (dims: ({ dim_param: string } | { dim_value: number })[]) => ({ tensor_type: { elem_type: DOUBLE, shape: { dim: dims } } });
  const ModelProto = onnxSchema.lookupType("onnx.ModelProto");
  const message = ModelProto.fromObject({
    ir_version: 8,
    producer_name: "mlflow-ts example",
    producer_version: "1",
    opset_import: [{ domain: "", version: 17 }],
    graph: {
      name: "logistic_regression",
      node: [
        { op_type: "MatMul", input: ["x", "W"], output: ["logits_no_bias"], name: "matmul" },
        { op_type: "Add", input: ["logits_no_bias", "B"], output: ["logits"], name: "add" },
        { op_type: "Sigmoid", input: ["logits"], output: ["probability"], name: "sigmoid" },
      ],
      initializer: [
        { name: "W", data_type: DOUBLE, dims: [features, 1], double_data: model.weights },
        { name: "B", data_type: DOUBLE, dims: [1], double_data: [model.bias] },
      ],
      input: [{ name: "x", type: tensorType([{ dim_param: "batch" }, { dim_value: features }]) }],
      output: [{ name: "probability", type: tensorType([{ dim_param: "batch" }, { dim_value: 1 }]) }],
    },
  });
  return ModelProto.encode(message).finish();
}
