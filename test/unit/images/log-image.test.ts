/** run.logImage on the embedded store: MLflow's step-series layout and tag, single files, and bad input. */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import sharp from "sharp";
import { afterEach, describe, expect, it } from "vitest";
import { compressedSize } from "../../../src/images/log-image.js";
import { startRun, ValidationError } from "../../../src/index.js";
import { removeTempDirs, sqliteClient, tempDir } from "../store/sqlite/helpers.js";

afterEach(removeTempDirs);

function png(width: number, height: number): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: { r: 200, g: 30, b: 10 } } })
    .png()
    .toBuffer();
}

async function runIn(dir: string) {
  const client = sqliteClient(dir);
  const experimentId = await client.experiments.create({ name: "images", artifact_location: join(dir, "artifacts") });
  const run = await startRun({ client, experimentId, exitHooks: false });
  return { client, run, artifacts: join(dir, "artifacts", run.runId, "artifacts") };
}

describe("run.logImage with a key", () => {
  it("writes the PNG and a 256 px WebP preview per step, named as MLflow names them, and tags the run", async () => {
    const dir = tempDir();
    const { client, run, artifacts } = await runIn(dir);
    const image = await png(600, 300);
    await run.logImage(image, { key: "val/predictions", step: 3, timestamp: 1_700_000_000_123 });
    const jpeg = await sharp(await png(100, 200))
      .jpeg()
      .toBuffer();
    await run.logImage(jpeg, { key: "val/predictions", step: 4 });
    await run.end();

    const names = readdirSync(join(artifacts, "images")).sort();
    expect(names).toHaveLength(4);
    const pattern = /^val~predictions\+step\+(\d+)\+timestamp\+(\d+)\+[0-9a-f-]{36}(\+compressed)?\.(png|webp)$/;
    for (const name of names) expect(name).toMatch(pattern);
    const step3 = names.filter((name) => name.includes("+step+3+timestamp+1700000000123+"));
    expect(step3.map((n) => n.slice(n.lastIndexOf("."))).sort()).toEqual([".png", ".webp"]);
    expect(readFileSync(join(artifacts, "images", step3.find((n) => n.endsWith(".png"))!))).toEqual(image);
    const preview = await sharp(join(artifacts, "images", step3.find((n) => n.endsWith("+compressed.webp"))!)).metadata();
    expect([preview.format, preview.width, preview.height]).toEqual(["webp", 256, 128]);
    const step4Png = await sharp(
      join(artifacts, "images", names.find((n) => n.includes("+step+4+") && n.endsWith(".png") && !n.includes("compressed"))!),
    ).metadata();
    expect([step4Png.format, step4Png.width, step4Png.height]).toEqual(["png", 100, 200]);
    const tags = (await client.runs.get(run.runId)).data.tags;
    expect(tags).toContainEqual({ key: "mlflow.loggedImages", value: "True" });
    await client.close();
  });

  it("scales the preview as MLflow's compress_image_size does (small images grow too)", () => {
    expect(compressedSize(600, 300)).toEqual({ width: 256, height: 128 });
    expect(compressedSize(100, 200)).toEqual({ width: 128, height: 256 });
    expect(compressedSize(10, 10)).toEqual({ width: 256, height: 256 });
    expect(compressedSize(1000, 1)).toEqual({ width: 256, height: 1 });
  });
});

describe("run.logImage with a file name", () => {
  it("uploads PNG bytes to a .png as they are, and converts to the extension's format otherwise", async () => {
    const dir = tempDir();
    const { client, run, artifacts } = await runIn(dir);
    const image = await png(32, 16);
    await run.logImage(image, "plots/confusion.png");
    await run.logImage(image, "plots/confusion.jpg");
    await run.logImage({ pixels: new Uint8Array(4 * 2 * 3).fill(255), width: 4, height: 2, channels: 3 }, "raw.png");
    await run.end();
    expect(readFileSync(join(artifacts, "plots", "confusion.png"))).toEqual(image);
    expect((await sharp(join(artifacts, "plots", "confusion.jpg")).metadata()).format).toBe("jpeg");
    expect((await sharp(join(artifacts, "raw.png")).metadata()).width).toBe(4);
    expect((await client.runs.get(run.runId)).data.tags.map((t) => t.key)).not.toContain("mlflow.loggedImages");
    await client.close();
  });

  it.each([
    [Buffer.from("GIF89a not supported as input"), "x.png", "image", /neither PNG nor JPEG/],
    ["png", "notes.txt", "artifactFile", /no image extension/],
    ["png", { key: "bad#key" }, "key", /may only contain letters, digits/],
    ["png", { key: "ok", step: 1.5 }, "step", /whole numbers/],
    [{ pixels: new Uint8Array(5), width: 2, height: 2, channels: 3 }, "x.png", "image", /width × height × channels/],
  ])("refuses %s → %j with a ValidationError on %s", async (input, target, key, message) => {
    const dir = tempDir();
    const { client, run } = await runIn(dir);
    const image = input === "png" ? await png(2, 2) : input;
    const error = await run.logImage(image as Uint8Array, target as string).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).key).toBe(key);
    expect((error as Error).message).toMatch(message);
    await run.end();
    await client.close();
  });
});
