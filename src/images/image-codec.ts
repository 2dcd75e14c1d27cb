/**
 * Image encoding for `logImage`, through sharp (libvips), an optional dependency loaded on first
 * use: sharp installs prebuilt binaries from the npm registry (no download at install time) and is
 * the most used Node image library, but it weighs ~20 MB, so a project that never logs an image
 * can omit it (`npm install --omit=optional`). Without it, `logImage` still uploads a PNG or JPEG
 * as it is under a file name of its own format; anything that needs re-encoding or resizing (the
 * step series' WebP preview, a PNG saved as JPEG, raw pixels) says to install it.
 */
import { ConfigurationError, ValidationError } from "../core/errors.js";

/** Raw pixels: rows top to bottom, `channels` bytes per pixel (1 grey, 2 grey+alpha, 3 RGB, 4 RGBA). */
export interface RawImage {
  pixels: Uint8Array | Uint8ClampedArray;
  width: number;
  height: number;
  channels: 1 | 2 | 3 | 4;
}

/** An image: PNG or JPEG bytes, or raw pixels. */
export type ImageInput = Uint8Array | RawImage;

/** Formats `logImage` writes, by file extension. */
export type ImageFormat = "png" | "jpeg" | "webp" | "gif" | "tiff";

type Sharp = typeof import("sharp").default;
let loaded: Promise<Sharp | undefined> | undefined;

/** The sharp module, or `undefined` when it is not installed. */
function loadSharp(): Promise<Sharp | undefined> {
  loaded ??= import("sharp").then(
    (module) => module.default,
    () => undefined,
  );
  return loaded;
}

/** The format of encoded bytes by their signature; `undefined` for anything else. @internal */
export function sniffFormat(bytes: Uint8Array): "png" | "jpeg" | undefined {
  if (bytes.length >= 8 && bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47) return "png";
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return "jpeg";
  return undefined;
}

/**
 * Checks an image input and returns what it is.
 * @throws {ValidationError} (rule `image`) for bytes that are neither PNG nor JPEG, or pixels that do not match their size.
 * @internal
 */
export function checkImage(image: ImageInput): { kind: "encoded"; format: "png" | "jpeg"; bytes: Uint8Array } | { kind: "raw"; raw: RawImage } {
  if (image instanceof Uint8Array && !isRaw(image)) {
    const format = sniffFormat(image);
    if (format === undefined)
      throw new ValidationError(
        "image",
        "image",
        "The image bytes are neither PNG nor JPEG. Fix: pass a PNG or JPEG buffer, or raw pixels as { pixels, width, height, channels }.",
      );
    return { kind: "encoded", format, bytes: image };
  }
  if (!isRaw(image)) throw new ValidationError("image", "image", "logImage takes PNG or JPEG bytes, or raw pixels as { pixels, width, height, channels }.");
  const { pixels, width, height, channels } = image;
  if (
    !Number.isInteger(width) ||
    !Number.isInteger(height) ||
    width < 1 ||
    height < 1 ||
    ![1, 2, 3, 4].includes(channels) ||
    pixels.length !== width * height * channels
  ) {
    throw new ValidationError(
      "image",
      "image",
      `Raw pixels must hold width × height × channels bytes (${width} × ${height} × ${channels}), got ${pixels.length}. Fix: check the image's size and channel count.`,
    );
  }
  return { kind: "raw", raw: image };
}

function isRaw(image: unknown): image is RawImage {
  return image !== null && typeof image === "object" && "pixels" in image && "width" in image && "height" in image;
}

/**
 * Encodes an image in `format`, optionally resized to exactly `size` (bicubic, as Pillow's default).
 * Encoded input already in `format` and not resized is returned as it is, without sharp.
 * @throws {ConfigurationError} (key `sharp`) when the work needs sharp and it is not installed.
 * @internal
 */
export async function encodeImage(image: ReturnType<typeof checkImage>, format: ImageFormat, size?: { width: number; height: number }): Promise<Buffer> {
  if (image.kind === "encoded" && image.format === format && size === undefined)
    return Buffer.from(image.bytes.buffer, image.bytes.byteOffset, image.bytes.byteLength);
  const sharp = await loadSharp();
  if (sharp === undefined) {
    const why =
      size !== undefined
        ? "resize it for MLflow's compressed preview"
        : image.kind === "raw"
          ? "encode raw pixels"
          : `convert ${image.format.toUpperCase()} to ${format.toUpperCase()}`;
    throw new ConfigurationError(
      "sharp",
      `logImage needs the optional dependency sharp to ${why}, and it is not installed. Fix: npm install sharp (or pass PNG bytes with a .png file name, JPEG bytes with .jpg).`,
    );
  }
  let pipeline =
    image.kind === "raw"
      ? sharp(Buffer.from(image.raw.pixels.buffer, image.raw.pixels.byteOffset, image.raw.pixels.byteLength), {
          raw: { width: image.raw.width, height: image.raw.height, channels: image.raw.channels },
        })
      : sharp(image.bytes);
  if (size !== undefined) pipeline = pipeline.resize(size.width, size.height, { fit: "fill", kernel: "cubic" });
  return pipeline.toFormat(format).toBuffer();
}

/** Width and height of an image (decoded headers only). @internal */
export async function imageSize(image: ReturnType<typeof checkImage>): Promise<{ width: number; height: number }> {
  if (image.kind === "raw") return { width: image.raw.width, height: image.raw.height };
  if (image.format === "png") return { width: readUint32(image.bytes, 16), height: readUint32(image.bytes, 20) };
  const sharp = await loadSharp();
  if (sharp === undefined)
    throw new ConfigurationError(
      "sharp",
      "logImage needs the optional dependency sharp to read a JPEG's size for MLflow's compressed preview, and it is not installed. Fix: npm install sharp.",
    );
  const { width, height } = await sharp(image.bytes).metadata();
  return { width: width ?? 0, height: height ?? 0 };
}

function readUint32(bytes: Uint8Array, offset: number): number {
  return ((bytes[offset]! << 24) | (bytes[offset + 1]! << 16) | (bytes[offset + 2]! << 8) | bytes[offset + 3]!) >>> 0;
}
