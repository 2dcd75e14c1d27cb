/**
 * Progress of the BUILT `mlflow-ts upload` on the real stack, with stderr captured (not a
 * terminal): a directory of 50 files gives a few plain lines, monotone, ending at 100 % with every
 * file counted, then a summary whose counts match what the server lists.
 */
import { randomUUID } from "node:crypto";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatBytes } from "../../src/core/units.js";
import { MlflowClient } from "../../src/index.js";
import { stackClientEnv, stackEnv } from "./artifacts-support.js";
import { ensureCliBuilt, runBuiltCli } from "./support/cli.js";

const FILES = 50;
const KiB = 1024;
/** File i has (i + 1) × 16 KiB: about 20 MiB in all, from 16 KiB to 800 KiB. */
const sizeOf = (i: number): number => (i + 1) * 16 * KiB;
const TOTAL_BYTES = Array.from({ length: FILES }, (_, i) => sizeOf(i)).reduce((a, b) => a + b, 0);

const directEnv = (): Record<string, string> => stackClientEnv(stackEnv("MLFLOW_TRACKING_URI"));

/** Every file under `path` in the run's artifacts, with its size. */
async function listAll(client: MlflowClient, runId: string, path: string): Promise<Map<string, number | undefined>> {
  const files = new Map<string, number | undefined>();
  for (const entry of await client.artifacts.list(runId, path)) {
    if (entry.is_dir) for (const [child, size] of await listAll(client, runId, entry.path)) files.set(child, size);
    else files.set(entry.path, entry.file_size);
  }
  return files;
}

describe("mlflow-ts upload of a directory, stderr not a terminal", () => {
  let client: MlflowClient;
  let runId: string;
  let work: string;

  beforeAll(async () => {
    ensureCliBuilt();
    client = new MlflowClient({ env: directEnv() });
    const experimentId = await client.experiments.create({ name: `cli-progress-${randomUUID()}` });
    runId = (await client.runs.create({ experiment_id: experimentId, run_name: "progress" })).info.run_id;
    work = await mkdtemp(join(tmpdir(), "mlflow-ts-cli-progress-"));
    await mkdir(join(work, "many/nested"), { recursive: true });
    for (let i = 0; i < FILES; i++) {
      const name = i % 5 === 0 ? `nested/f${String(i).padStart(2, "0")}.bin` : `f${String(i).padStart(2, "0")}.bin`;
      await writeFile(join(work, "many", name), Buffer.alloc(sizeOf(i), i));
    }
  }, 360_000);

  afterAll(async () => {
    await client.close();
    await rm(work, { recursive: true, force: true });
  });

  it("prints a few monotone plain lines ending at 100 %, a summary that matches, and the files are on the server", async () => {
    const { code, stdout, stderr } = await runBuiltCli(["upload", runId, join(work, "many"), "--artifact-path", "many"], directEnv());
    expect({ code, stdout }).toEqual({ code: 0, stdout: `Uploaded ${FILES} files (${formatBytes(TOTAL_BYTES)}) to run ${runId} under many.\n` });

    const lines = stderr.trimEnd().split("\n");
    const progress = lines.slice(0, -1);
    expect(progress.length).toBeGreaterThanOrEqual(2);
    expect(progress.length).toBeLessThanOrEqual(12);
    const parsed = progress.map((line) => {
      const match = /^upload: ([\d.]+ [KMG]?i?B) of ([\d.]+ MiB) \((\d+)%\), (\d+) of 50 files(, .*)?$/.exec(line);
      expect(match, line).not.toBeNull();
      return { total: match![2], percent: Number(match![3]), files: Number(match![4]) };
    });
    for (const line of parsed) expect(line.total).toBe(formatBytes(TOTAL_BYTES));
    for (let i = 1; i < parsed.length; i++) {
      expect(parsed[i]!.percent).toBeGreaterThanOrEqual(parsed[i - 1]!.percent);
      expect(parsed[i]!.files).toBeGreaterThanOrEqual(parsed[i - 1]!.files);
    }
    expect(progress.at(-1)).toBe(`upload: ${formatBytes(TOTAL_BYTES)} of ${formatBytes(TOTAL_BYTES)} (100%), 50 of 50 files`);
    expect(lines.at(-1)).toMatch(
      new RegExp(`^upload: done: 50 files, ${formatBytes(TOTAL_BYTES).replace(".", "\\.")} in [\\d.]+ s \\([\\d.]+ [KMG]?i?B/s\\)$`),
    );

    const listed = await listAll(client, runId, "many");
    expect(listed.size).toBe(FILES);
    expect([...listed.values()].reduce((a: number, b) => a + (b ?? 0), 0)).toBe(TOTAL_BYTES);
  });
});
