import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { afterAll, describe, expect, it } from "vitest";
import type { ArtifactReadStream, ArtifactStore, TransferHooks, UploadSource } from "../../../src/artifacts/artifact-store.js";
import { ArtifactDownloadError, ArtifactNotFoundError, IncompleteTransferError, UnsafeArtifactPathError } from "../../../src/artifacts/errors.js";
import { checkProxiedArtifactPath } from "../../../src/artifacts/path-safety.js";
import { ProgressTotals } from "../../../src/artifacts/progress.js";
import { downloadTree, planUpload, uploadFiles } from "../../../src/artifacts/transfer.js";
import type { TransferProgress } from "../../../src/artifacts/types.js";
import type { FileInfo } from "../../../src/protocol/entities/tracking.js";

/** Every temporary folder of this file lives here and is removed afterwards. */
const scratch = mkdtempSync(join(tmpdir(), "mlflow-ts-unit-transfer-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** An in-memory store whose listing and contents a test controls. */
class FakeStore implements ArtifactStore {
  readonly location = "fake://run";
  readonly opened: string[] = [];
  readonly uploaded: { artifactFile: string; kind: string }[] = [];
  inFlight = 0;
  maxInFlight = 0;

  constructor(
    private readonly listing: Record<string, FileInfo[]> = {},
    private readonly contents: Record<string, { data: string; size?: number }> = {},
    private readonly failOn?: string,
    /** Refuse names as the tracking server's artifact proxy does. */
    private readonly proxied = false,
  ) {}

  async upload(source: UploadSource, artifactFile: string, hooks: TransferHooks): Promise<number> {
    if (this.proxied) checkProxiedArtifactPath(artifactFile, "artifactFile");
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      await new Promise((resolve) => setTimeout(resolve, 5));
      if (artifactFile === this.failOn) throw new Error(`failed ${artifactFile}`);
      if (hooks.signal?.aborted) throw new Error("aborted");
      const size = source.kind === "file" ? source.size : 0;
      hooks.onBytes?.(Math.floor(size / 2));
      hooks.onBytes?.(size);
      this.uploaded.push({ artifactFile, kind: source.kind });
      return size;
    } finally {
      this.inFlight--;
    }
  }

  async list(path: string): Promise<FileInfo[]> {
    return this.listing[path] ?? [];
  }

  async open(artifactFile: string): Promise<ArtifactReadStream> {
    if (this.proxied) checkProxiedArtifactPath(artifactFile, "artifactFile");
    this.opened.push(artifactFile);
    const entry = this.contents[artifactFile];
    if (!entry) throw new Error(`no ${artifactFile}`);
    return { stream: Readable.from([Buffer.from(entry.data)]), size: entry.size ?? entry.data.length };
  }

  async delete(): Promise<void> {}
}

const tree = (): string => {
  const dir = mkdtempSync(join(scratch, "tree-"));
  mkdirSync(join(dir, "sub/deeper"), { recursive: true });
  writeFileSync(join(dir, "a.txt"), "aaaa");
  writeFileSync(join(dir, "sub/b.bin"), "bb");
  writeFileSync(join(dir, "sub/deeper/c.json"), "{}");
  return dir;
};

describe("planUpload (MLflow's artifact paths for log_artifact / log_artifacts)", () => {
  it("names a single file <artifactPath>/<basename>", async () => {
    const dir = tree();
    expect(await planUpload(join(dir, "a.txt"), "model")).toEqual({
      directory: false,
      files: [{ path: join(dir, "a.txt"), size: 4, artifactFile: "model/a.txt" }],
      skipped: [],
    });
    expect((await planUpload(join(dir, "a.txt"), undefined)).files[0]!.artifactFile).toBe("a.txt");
  });

  it("keeps relative paths with / separators for a directory", async () => {
    const dir = tree();
    const plan = await planUpload(dir, "run-data");
    expect(plan.directory).toBe(true);
    expect(plan.files.map((f) => f.artifactFile)).toEqual(["run-data/a.txt", "run-data/sub/b.bin", "run-data/sub/deeper/c.json"]);
    expect((await planUpload(dir, undefined)).files.map((f) => f.artifactFile)).toEqual(["a.txt", "sub/b.bin", "sub/deeper/c.json"]);
  });

  it("follows links to files", async () => {
    const dir = tree();
    symlinkSync(join(dir, "a.txt"), join(dir, "link.txt"));
    expect((await planUpload(dir, undefined)).files.map((f) => f.artifactFile)).toContain("link.txt");
  });

  it("skips a file of a directory whose name is unsafe, planning the others", async () => {
    const dir = tree();
    writeFileSync(join(dir, "bad#name.txt"), "x");
    const plan = await planUpload(dir, undefined);
    expect(plan.files.map((f) => f.artifactFile)).toEqual(["a.txt", "sub/b.bin", "sub/deeper/c.json"]);
    expect(plan.skipped).toEqual([{ path: "bad#name.txt", rule: "fragment", reason: expect.stringContaining("Fix:") }]);
  });

  it("plans a legal name with a percent-escape as it is (MLflow accepts what decodes to a safe path)", async () => {
    const dir = tree();
    writeFileSync(join(dir, "acc 100%25.png"), "png");
    const plan = await planUpload(dir, "plots");
    expect(plan.files.map((f) => f.artifactFile)).toContain("plots/acc 100%25.png");
    expect(plan.skipped).toEqual([]);
  });

  it("refuses a single file whose name is unsafe: the argument itself", async () => {
    const dir = tree();
    writeFileSync(join(dir, "bad#name.txt"), "x");
    await expect(planUpload(join(dir, "bad#name.txt"), undefined)).rejects.toBeInstanceOf(UnsafeArtifactPathError);
  });
});

describe("uploadFiles", () => {
  it("uploads files in parallel under the cap with one aggregated progress", async () => {
    const dir = mkdtempSync(join(scratch, "many-"));
    for (let i = 0; i < 20; i++) writeFileSync(join(dir, `f${String(i).padStart(2, "0")}.bin`), Buffer.alloc(100));
    const store = new FakeStore();
    const progress: TransferProgress[] = [];
    const plan = await planUpload(dir, "d");
    const result = await uploadFiles(store, plan, { concurrency: 3, onProgress: (p) => progress.push(p) }, 8);
    expect(result.bytes).toBe(2000);
    expect(result.paths).toHaveLength(20);
    expect(store.uploaded).toHaveLength(20);
    expect(store.maxInFlight).toBe(3);
    expect(progress.every((p) => p.totalBytes === 2000)).toBe(true);
    expect(progress.at(-1)).toMatchObject({ loadedBytes: 2000, completedFiles: 20, totalFiles: 20 });
    expect([...new Set(progress.map((p) => p.completedFiles).filter((n) => n > 0))]).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    for (let i = 1; i < progress.length; i++) expect(progress[i]!.loadedBytes).toBeGreaterThanOrEqual(progress[i - 1]!.loadedBytes);
  });

  it("stops starting files after the first failure and throws it", async () => {
    const dir = mkdtempSync(join(scratch, "fail-"));
    for (let i = 0; i < 30; i++) writeFileSync(join(dir, `f${String(i).padStart(2, "0")}.bin`), "x");
    const store = new FakeStore({}, {}, "f01.bin");
    const plan = await planUpload(dir, undefined);
    await expect(uploadFiles(store, plan, { concurrency: 2 }, 8)).rejects.toThrow("failed f01.bin");
    expect(store.uploaded.length).toBeLessThan(5);
    expect(store.inFlight).toBe(0);
  });

  it("uploads the rest of a directory with an unsafe file name, then reports the one it skipped", async () => {
    const dir = tree();
    writeFileSync(join(dir, "bad#name.txt"), "x");
    const store = new FakeStore();
    const plan = await planUpload(dir, undefined);
    const error = await uploadFiles(store, plan, {}, 8).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IncompleteTransferError);
    const incomplete = error as IncompleteTransferError;
    expect(store.uploaded.map((u) => u.artifactFile).sort()).toEqual(["a.txt", "sub/b.bin", "sub/deeper/c.json"]);
    expect(incomplete.transferred).toEqual(["a.txt", "sub/b.bin", "sub/deeper/c.json"]);
    expect(incomplete.bytes).toBe(8);
    expect(incomplete.skipped.map((s) => [s.path, s.rule])).toEqual([["bad#name.txt", "fragment"]]);
    expect(incomplete.message).toContain("Uploaded 3 of 4 files");
    expect(incomplete.message).toContain("bad#name.txt");
  });

  it("skips a name the proxy would change (acc 100%25.png) and uploads the others", async () => {
    const dir = tree();
    writeFileSync(join(dir, "acc 100%25.png"), "png");
    const store = new FakeStore({}, {}, undefined, true);
    const error = (await uploadFiles(store, await planUpload(dir, undefined), {}, 8).catch((e: unknown) => e)) as IncompleteTransferError;
    expect(error).toBeInstanceOf(IncompleteTransferError);
    expect(store.uploaded).toHaveLength(3);
    expect(error.skipped).toEqual([{ path: "acc 100%25.png", rule: "proxy-decodes", reason: expect.stringContaining('"acc 100%.png"') }]);
  });
});

describe("ProgressTotals", () => {
  it("sums bytes across files and never goes backwards when a retried part starts again from 0", () => {
    const events: number[] = [];
    const totals = new ProgressTotals(30, (p) => events.push(p.loadedBytes), 2);
    totals.update("a", 10);
    totals.update("b", 5);
    totals.update("a", 0);
    totals.update("a", 8);
    totals.update("a", 20);
    totals.update("a", 20);
    expect(events).toEqual([10, 15, 25]);
  });

  it("counts a part re-sent in full once", () => {
    const events: number[] = [];
    const totals = new ProgressTotals(8, (p) => events.push(p.loadedBytes));
    for (const attempt of [1, 2, 3]) {
      expect(attempt).toBeGreaterThan(0);
      for (const sent of [0, 2, 4]) totals.update("part-1", sent);
    }
    totals.update("part-2", 4);
    expect(events).toEqual([0, 2, 4, 8]);
  });

  it("counts each finished file once, with its final size, and reports the file totals with every event", () => {
    const events: TransferProgress[] = [];
    const totals = new ProgressTotals(12, (p) => events.push(p), 3);
    totals.update("a", 3);
    totals.complete("a", 4);
    totals.complete("empty", 0);
    totals.update("b", 8);
    totals.complete("b", 8);
    expect(events.map((p) => [p.loadedBytes, p.completedFiles])).toEqual([
      [3, 0],
      [4, 1],
      [4, 2],
      [12, 2],
      [12, 3],
    ]);
    expect(events.every((p) => p.totalBytes === 12 && p.totalFiles === 3)).toBe(true);
  });
});

describe("downloadTree", () => {
  const listing: Record<string, FileInfo[]> = {
    "": [
      { path: "model", is_dir: true },
      { path: "readme.md", is_dir: false, file_size: 2 },
    ],
    model: [
      { path: "model/w.bin", is_dir: false, file_size: 3 },
      { path: "model/sub", is_dir: true },
    ],
    "model/sub": [{ path: "model/sub/x.txt", is_dir: false, file_size: 1 }],
  };
  const contents = { "readme.md": { data: "hi" }, "model/w.bin": { data: "www" }, "model/sub/x.txt": { data: "x" } };

  it("downloads the whole tree as destDir/<path> and leaves no temporary files", async () => {
    const dest = mkdtempSync(join(scratch, "dest-"));
    const progress: TransferProgress[] = [];
    expect(await downloadTree(new FakeStore(listing, contents), "", dest, { onProgress: (p) => progress.push(p) }, 4)).toBe(dest);
    expect(readFileSync(join(dest, "model/w.bin"), "utf8")).toBe("www");
    expect(readFileSync(join(dest, "model/sub/x.txt"), "utf8")).toBe("x");
    expect(readdirSync(join(dest, "model")).sort()).toEqual(["sub", "w.bin"]);
    expect(progress.at(-1)).toMatchObject({ loadedBytes: 6, totalBytes: 6, completedFiles: 3, totalFiles: 3 });
  });

  it("downloads one file as destDir/<path> after finding it in its directory's listing", async () => {
    const dest = mkdtempSync(join(scratch, "dest-"));
    expect(await downloadTree(new FakeStore(listing, contents), "model/w.bin", dest, {}, 4)).toBe(join(dest, "model/w.bin"));
    expect(readdirSync(dest)).toEqual(["model"]);
  });

  it.each([
    ["a ../ path", "../../x", "parent-segment"],
    ["an absolute path", "/etc/cron.d/x", "absolute"],
    ["an encoded traversal", "%2e%2e/%2e%2e/x", "parent-segment"],
    ["a double-encoded traversal", "%252e%252e/x", "parent-segment"],
    ["a backslash traversal", "..\\..\\x", "backslash"],
  ])("skips a hostile listed entry (%s) without touching it, downloads the others, and reports it", async (_what, hostile, rule) => {
    // Two levels below this case's own folder, so that "../../x" is inside it (never the shared tmpdir's x).
    const dest = join(mkdtempSync(join(scratch, "case-")), "outer", "dest");
    mkdirSync(dest, { recursive: true });
    const entries: FileInfo[] = [
      { path: hostile, is_dir: false, file_size: 1 },
      { path: "ok.txt", is_dir: false, file_size: 2 },
    ];
    const store = new FakeStore({ "": entries }, { [hostile]: { data: "p" }, "ok.txt": { data: "ok" } });
    const error = (await downloadTree(store, "", dest, {}, 4).catch((e: unknown) => e)) as IncompleteTransferError;
    expect(error).toBeInstanceOf(IncompleteTransferError);
    expect(error.skipped.map((s) => [s.path, s.rule])).toEqual([[hostile, rule]]);
    expect(error.transferred).toEqual(["ok.txt"]);
    expect(error.localPath).toBe(dest);
    expect(store.opened).toEqual(["ok.txt"]);
    expect(readdirSync(dest)).toEqual(["ok.txt"]);
    expect(existsSync(join(dest, "../../x"))).toBe(false);
  });

  it("downloads a legal name with a percent-escape under that very name", async () => {
    const dest = mkdtempSync(join(scratch, "dest-"));
    const store = new FakeStore({ "": [{ path: "acc 100%25.png", is_dir: false, file_size: 3 }] }, { "acc 100%25.png": { data: "png" } });
    expect(await downloadTree(store, "", dest, {}, 4)).toBe(dest);
    expect(readFileSync(join(dest, "acc 100%25.png"), "utf8")).toBe("png");
  });

  it("skips a listed child that is not under the listed directory", async () => {
    const dest = mkdtempSync(join(scratch, "dest-"));
    const store = new FakeStore({ model: [{ path: "other/x", is_dir: false, file_size: 1 }] }, { "other/x": { data: "x" } });
    const error = (await downloadTree(store, "model", dest, {}, 4).catch((e: unknown) => e)) as IncompleteTransferError;
    expect(error).toBeInstanceOf(IncompleteTransferError);
    expect(error.skipped.map((s) => s.rule)).toEqual(["outside-directory"]);
    expect(store.opened).toEqual([]);
  });

  it("refuses to write through a symbolic link that leaves the destination", async () => {
    const dest = mkdtempSync(join(scratch, "dest-"));
    const elsewhere = mkdtempSync(join(scratch, "elsewhere-"));
    symlinkSync(elsewhere, join(dest, "model"));
    const error = (await downloadTree(new FakeStore(listing, contents), "model", dest, {}, 4).catch((e: unknown) => e)) as IncompleteTransferError;
    expect(error).toBeInstanceOf(IncompleteTransferError);
    expect(error.skipped.map((s) => s.rule)).toEqual(["outside-destination", "outside-destination"]);
    expect(readdirSync(elsewhere)).toEqual([]);
  });

  it("fails a truncated file and removes its temporary file", async () => {
    const dest = mkdtempSync(join(scratch, "dest-"));
    const store = new FakeStore({ "": [{ path: "model.bin", is_dir: false, file_size: 10 }] }, { "model.bin": { data: "abc", size: 10 } });
    await expect(downloadTree(store, "model.bin", dest, {}, 4)).rejects.toBeInstanceOf(ArtifactDownloadError);
    expect(readdirSync(dest)).toEqual([]);
  });

  it("reports a missing artifact as ArtifactNotFoundError without requesting it", async () => {
    const dest = mkdtempSync(join(scratch, "dest-"));
    const store = new FakeStore(listing, contents);
    const error = await downloadTree(store, "model/nope.bin", dest, {}, 4).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ArtifactNotFoundError);
    expect((error as Error).message).toContain('"model/nope.bin"');
    expect(store.opened).toEqual([]);
  });
});
