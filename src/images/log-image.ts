/**
 * `logImage`, as `MlflowClient.log_image` writes images (`mlflow/tracking/client.py`,
 * `mlflow/tracking/multimedia.py`):
 * - with a `key`, a step series the MLflow UI shows per step: the image as
 *   `images/<key, "/" as "~">+step+<step>+timestamp+<ms>+<uuid>.png` and a preview scaled to 256 px on
 *   its longer side as `…+compressed.webp`, and the run tag `mlflow.loggedImages` = `True`;
 * - with a file name, one image file in the format its extension names.
 */
import { randomUUID } from "node:crypto";
import { extname } from "node:path";
import { checkArtifactPath } from "../artifacts/path-safety.js";
import type { UploadResult } from "../artifacts/types.js";
import { ValidationError } from "../core/errors.js";
import { checkImage, encodeImage, type ImageFormat, type ImageInput, imageSize } from "./image-codec.js";

/** The run tag MLflow sets on a run with an image series. */
export const LOGGED_IMAGES_TAG = "mlflow.loggedImages";
/** Longer side of the preview MLflow's UI loads first, px (`COMPRESSED_IMAGE_SIZE`). */
export const COMPRESSED_IMAGE_SIZE = 256;

/** Where an image goes: a step of a series (`key`), or a file. */
export interface ImageSeriesOptions {
  /** Series name: letters, digits, `_ - . /` and spaces. */
  key: string;
  /** @defaultValue 0 */
  step?: number | undefined;
  /** Milliseconds since the epoch. @defaultValue now */
  timestamp?: number | undefined;
}

/** What one upload needs: the artifact file and its bytes. */
type Upload = (data: Buffer, artifactFile: string) => Promise<UploadResult>;

const EXTENSION_FORMATS: Record<string, ImageFormat> = {
  ".png": "png",
  ".jpg": "jpeg",
  ".jpeg": "jpeg",
  ".webp": "webp",
  ".gif": "gif",
  ".tif": "tiff",
  ".tiff": "tiff",
};

/**
 * Logs an image; see the module comment. Returns the uploads (two for a series step, one for a file)
 * and whether the `mlflow.loggedImages` tag must be set.
 *
 * @throws {ValidationError} for a bad key, step or file name, or bytes that are not PNG/JPEG.
 * @throws {ConfigurationError} (key `sharp`) when the image needs re-encoding and sharp is not installed.
 * @internal
 */
export async function logImage(upload: Upload, image: ImageInput, target: string | ImageSeriesOptions): Promise<{ results: UploadResult[]; series: boolean }> {
  const checked = checkImage(image);
  if (typeof target === "string") {
    const artifactFile = checkArtifactPath(target, "artifactFile");
    const format = EXTENSION_FORMATS[extname(artifactFile).toLowerCase()];
    if (format === undefined)
      throw new ValidationError(
        "artifactFile",
        "image-file",
        `"${artifactFile}" has no image extension. Fix: end it in .png, .jpg, .jpeg, .webp, .gif or .tiff.`,
      );
    return { results: [await upload(await encodeImage(checked, format), artifactFile)], series: false };
  }
  const { key } = target;
  if (typeof key !== "string" || !/^[a-zA-Z0-9_\-./ ]+$/.test(key)) {
    throw new ValidationError(
      "key",
      "image-key",
      `The image key ${JSON.stringify(key)} may only contain letters, digits, "_", "-", ".", "/" and spaces (MLflow's rule). Fix: rename the series.`,
    );
  }
  const step = target.step ?? 0;
  const timestamp = target.timestamp ?? Date.now();
  if (!Number.isSafeInteger(step) || !Number.isSafeInteger(timestamp) || timestamp < 0) {
    throw new ValidationError(
      "step",
      "image-step",
      `An image's step and timestamp are whole numbers (timestamp ≥ 0), got step ${step} and timestamp ${timestamp}.`,
    );
  }
  const base = `images/${key.replace(/\//g, "~")}+step+${step}+timestamp+${timestamp}+${randomUUID()}`;
  checkArtifactPath(`${base}+compressed.webp`, "key");
  const { width, height } = await imageSize(checked);
  const preview = await encodeImage(checked, "webp", compressedSize(width, height));
  const full = await encodeImage(checked, "png");
  const results = [await upload(full, `${base}.png`), await upload(preview, `${base}+compressed.webp`)];
  return { results, series: true };
}

/** `compress_image_size`: the longer side becomes 256 px (smaller images grow, as in MLflow), the other keeps the ratio. */
export function compressedSize(width: number, height: number): { width: number; height: number } {
  if (width > height) return { width: COMPRESSED_IMAGE_SIZE, height: Math.max(1, Math.floor(height * (COMPRESSED_IMAGE_SIZE / width))) };
  return { width: Math.max(1, Math.floor(width * (COMPRESSED_IMAGE_SIZE / height))), height: COMPRESSED_IMAGE_SIZE };
}
