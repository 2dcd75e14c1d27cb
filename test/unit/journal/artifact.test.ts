/** Artifacts are journaled by path, size, mtime and SHA-256, and only an unchanged file counts as the one journaled. */
import { createHash } from "node:crypto";
import { utimes, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { artifactUnchanged, describeArtifact } from "../../../src/journal/artifact.js";
import { tempDir } from "./helpers.js";

describe("journaled artifacts", () => {
  it("describes a file by absolute path, size, mtime and sha256", async () => {
    const dir = await tempDir();
    const file = join(dir, "model.onnx");
    await writeFile(file, "weights v1");
    const entry = await describeArtifact(file, "model");
    expect(entry).toMatchObject({ localPath: file, artifactPath: "model", sizeBytes: 10, sha256: createHash("sha256").update("weights v1").digest("hex") });
    expect(await artifactUnchanged(entry)).toBe(true);
  });

  it("says a file changed when its content, its mtime or its existence changed", async () => {
    const dir = await tempDir();
    const file = join(dir, "ckpt.bin");
    await writeFile(file, "epoch 1");
    const entry = await describeArtifact(file);
    await writeFile(file, "epoch 2"); // same size, new content
    await utimes(file, entry.mtimeMs / 1000, entry.mtimeMs / 1000);
    expect(await artifactUnchanged(entry)).toBe(false);
    await writeFile(file, "epoch 1");
    await utimes(file, new Date(), new Date(entry.mtimeMs + 5000));
    expect(await artifactUnchanged(entry)).toBe(false);
    expect(await artifactUnchanged({ ...entry, localPath: join(dir, "gone") })).toBe(false);
  });

  it("refuses a folder, naming the fix", async () => {
    const dir = await tempDir();
    await expect(describeArtifact(dir)).rejects.toThrow(/is not a regular file. Fix:/);
  });
});
