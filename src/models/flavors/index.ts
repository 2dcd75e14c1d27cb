/**
 * The flavors mlflow-ts writes, by name. A new flavor is a module in this folder and one line here
 * (and its input type in {@link ModelFlavorInput}).
 */
import { type FilesModelInput, filesFlavor } from "./files.js";
import type { Flavor } from "./flavor.js";
import { type OnnxModelInput, onnxFlavor } from "./onnx.js";
import { type TfjsModelInput, tfjsFlavor } from "./tfjs.js";

/** The model and its flavor-specific options, by flavor. */
export type ModelFlavorInput = OnnxModelInput | TfjsModelInput | FilesModelInput;

/** Name of a flavor mlflow-ts writes. */
export type FlavorName = ModelFlavorInput["flavor"];

/** Every flavor, by name. @internal */
export const FLAVORS: { readonly [N in FlavorName]: Flavor<Extract<ModelFlavorInput, { flavor: N }>> } = {
  onnx: onnxFlavor,
  tfjs: tfjsFlavor,
  files: filesFlavor,
};
