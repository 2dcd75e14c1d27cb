/**
 * Image series on the real stack, read back by Python as the MLflow UI reads them: run.logImage
 * with a key and steps writes, per step, a PNG and a 256 px WebP preview whose file names parse as
 * the UI parses them, and the run tag mlflow.loggedImages; Python opens every file with Pillow.
 */
import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { startRun } from "../../src/index.js";
import { runPython } from "./support/python.js";
import { type StackServer, serverUri, stackClient, uniqueName } from "./support/stack.js";

interface SeriesEntry {
  step: number;
  timestamp: number;
  format: string;
  size: [number, number];
  preview_format: string;
  preview_size: [number, number];
}

describe.each(["direct", "proxied"] as StackServer[])("an image series, %s server", (server) => {
  it("is read back by Python step by step, as the UI reads it", async () => {
    const client = stackClient(server);
    try {
      const experimentId = await client.experiments.create({ name: uniqueName(`images-${server}`) });
      const run = await startRun({ client, experimentId, exitHooks: false });
      for (let step = 0; step < 3; step++) {
        const png = await sharp({ create: { width: 320 + step, height: 200, channels: 3, background: { r: 40 * step, g: 120, b: 200 } } })
          .png()
          .toBuffer();
        await run.logImage(png, { key: "val/predictions", step, timestamp: 1_700_000_000_000 + step });
      }
      const jpeg = await sharp({ create: { width: 64, height: 128, channels: 3, background: { r: 1, g: 2, b: 3 } } })
        .jpeg()
        .toBuffer();
      await run.logImage(jpeg, { key: "samples", step: 7 });
      await run.end();

      const python = await runPython<{ tag: string; series: Record<string, SeriesEntry[]> }>(
        "test/conformance/python/read_images.py",
        { run_id: run.runId },
        { MLFLOW_TRACKING_URI: serverUri(server) },
      );
      expect(python.tag).toBe("True");
      expect(python.series["val/predictions"]).toEqual(
        [0, 1, 2].map((step) => ({
          step,
          timestamp: 1_700_000_000_000 + step,
          format: "PNG",
          size: [320 + step, 200],
          preview_format: "WEBP",
          preview_size: [256, Math.floor(200 * (256 / (320 + step)))],
        })),
      );
      expect(python.series.samples).toEqual([
        expect.objectContaining({ step: 7, format: "PNG", size: [64, 128], preview_format: "WEBP", preview_size: [128, 256] }),
      ]);
    } finally {
      await client.close();
    }
  }, 180_000);
});
