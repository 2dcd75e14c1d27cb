/** logImage when the optional dependency sharp is not installed: what needs no re-encoding works, the rest says how to install it. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ConfigurationError, startRun } from "../../../src/index.js";
import { removeTempDirs, sqliteClient, tempDir } from "../store/sqlite/helpers.js";

vi.mock("sharp", () => {
  throw new Error("Cannot find package 'sharp' (simulated)");
});
afterEach(removeTempDirs);

/** A 1×1 PNG (its IHDR says 1×1), written by hand because the encoder is what is missing here. */
const PNG_1X1 = Buffer.from(
  "89504e470d0a1a0a0000000d49484452000000010000000108020000009077530e0000000c4944415408d763f8cfc000000301010018dd8db00000000049454e44ae426082",
  "hex",
);

describe("logImage without sharp", () => {
  it("uploads PNG bytes to a .png file, and asks for sharp for the step series", async () => {
    const dir = tempDir();
    const client = sqliteClient(dir);
    const experimentId = await client.experiments.create({ name: "no-sharp", artifact_location: join(dir, "artifacts") });
    const run = await startRun({ client, experimentId, exitHooks: false });
    await run.logImage(PNG_1X1, "pixel.png");
    expect(readFileSync(join(dir, "artifacts", run.runId, "artifacts", "pixel.png"))).toEqual(PNG_1X1);
    const error = await run.logImage(PNG_1X1, { key: "series" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as ConfigurationError).key).toBe("sharp");
    expect((error as Error).message).toContain("Fix: npm install sharp");
    await expect(run.logImage(PNG_1X1, "pixel.jpg")).rejects.toThrow(/convert PNG to JPEG.*Fix: npm install sharp/);
    await run.end();
    await client.close();
  });
});
