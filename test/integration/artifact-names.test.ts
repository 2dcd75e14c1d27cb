/**
 * Artifact names with `%XX` and unsafe names in a directory, on the real stack: the client's path
 * rule against MLflow's own guard (`validate_path_is_safe`), a legal `acc 100%25.png` uploaded and
 * downloaded under its very name on the direct (S3) server and read back by Python's
 * `mlflow.artifacts.download_artifacts`, an unsafe name skipped while the rest of the directory
 * goes through, the proxy's decoding refused per file, and the CLI's exit codes (1 for a partial
 * transfer, never 2).
 */
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { IncompleteTransferError } from "../../src/artifacts/errors.js";
import { decodeArtifactPath, isSafeArtifactPath } from "../../src/artifacts/path-safety.js";
import { runCli } from "../../src/cli/program.js";
import type { MlflowClient } from "../../src/client/client.js";
import { runPython } from "./support/python.js";
import { serverUri, stackClient, stackClientEnv, uniqueName } from "./support/stack.js";

const LEGAL = "acc 100%25.png";
const UNSAFE = "bad#name.txt";
const scratch = mkdtempSync(join(tmpdir(), "mlflow-ts-artifact-names-"));
const clients: MlflowClient[] = [];

function sha256(data: string | Buffer): string {
  return createHash("sha256").update(data).digest("hex");
}

/** A folder with an ordinary file, a legal name with `%25`, and a name no artifact may have. */
function plotsFolder(): string {
  const dir = mkdtempSync(join(scratch, "plots-"));
  writeFileSync(join(dir, "ok.txt"), "ordinary");
  writeFileSync(join(dir, LEGAL), "png bytes");
  writeFileSync(join(dir, UNSAFE), "never sent");
  return dir;
}

async function newRun(server: "direct" | "proxied"): Promise<{ client: MlflowClient; runId: string }> {
  const client = stackClient(server);
  clients.push(client);
  const experimentId = await client.experiments.create({ name: uniqueName(`artifact-names-${server}`) });
  const run = await client.runs.create({ experiment_id: experimentId });
  return { client, runId: run.info.run_id };
}

async function cli(argv: string[], server: "direct" | "proxied"): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const code = await runCli(argv, {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    env: { PATH: process.env.PATH, ...stackClientEnv(serverUri(server)) },
  });
  return { code, stdout, stderr };
}

beforeAll(() => mkdirSync(scratch, { recursive: true }));
afterAll(async () => {
  await Promise.all(clients.map((client) => client.close()));
  rmSync(scratch, { recursive: true, force: true });
});

describe("the same path rule as the server", () => {
  const corpus = [
    "acc 100%25.png",
    "a%2Fb.txt",
    "%C3%A9t%C3%A9.png",
    "50%off",
    "x%zz",
    "model/weights.bin",
    "a:b",
    "../x",
    "a/../b",
    "%2e%2e/x",
    "%252e%252e/x",
    `%${"25".repeat(8)}2e%${"25".repeat(8)}2e/x`,
    `%${"25".repeat(9)}41`,
    "..%2fetc",
    "/etc/passwd",
    "%2fetc",
    "file:///etc/passwd",
    "a\\b",
    "..%5cwin.ini",
    "a#b",
    "a%23b",
    "C:/x",
    "a;b",
    "a%3Bb",
    "a//b",
    "./a",
    "a\u0001b",
    "a%01b",
  ];

  it("refuses every path MLflow's validate_path_is_safe refuses, and more only by its documented extra rules", async () => {
    const server = await runPython<Record<string, string | null>>("test/integration/validate-paths.py", { paths: corpus });
    const disagreements: string[] = [];
    for (const path of corpus) {
      const serverAccepts = server[path] !== null;
      const weAccept = isSafeArtifactPath(path);
      if (weAccept && !serverAccepts) disagreements.push(`${JSON.stringify(path)}: accepted here, refused by MLflow`);
      // Stricter on purpose: ";" (CVE-2024-1593), control characters, empty and "." segments, and
      // what a Windows server refuses (a POSIX one accepts it): backslashes and drive letters.
      // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are among what this side refuses
      const extra = /[;\u0000-\u001f\\]|%3b|%0\d|%1[0-9a-f]|%5c|\/\/|^\.\/|^[a-z]:/i;
      if (!weAccept && serverAccepts && !extra.test(path)) disagreements.push(`${JSON.stringify(path)}: refused here, accepted by MLflow`);
      // What the server uses is what we decode to.
      if (serverAccepts && weAccept) expect(decodeArtifactPath(path)).toBe(server[path]);
    }
    expect(disagreements).toEqual([]);
    expect(server[LEGAL]).toBe("acc 100%.png");
  });
});

describe("directory transfers with %XX and unsafe names", () => {
  it("direct S3: uploads acc 100%25.png under its name, skips the unsafe one, and Python downloads it", async () => {
    const { client, runId } = await newRun("direct");
    const error = await client.artifacts.upload(runId, plotsFolder(), { artifactPath: "plots" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IncompleteTransferError);
    const incomplete = error as IncompleteTransferError;
    expect(incomplete.transferred).toEqual([`plots/${LEGAL}`, "plots/ok.txt"]);
    expect(incomplete.skipped.map((entry) => [entry.path, entry.rule])).toEqual([[`plots/${UNSAFE}`, "fragment"]]);
    expect((await client.artifacts.list(runId, "plots")).map((file) => file.path)).toEqual([`plots/${LEGAL}`, "plots/ok.txt"]);

    const dest = mkdtempSync(join(scratch, "down-"));
    expect(await client.artifacts.download(runId, "plots", dest)).toBe(join(dest, "plots"));
    expect(readFileSync(join(dest, "plots", LEGAL), "utf8")).toBe("png bytes");

    const python = await runPython<Record<string, string>>("test/integration/artifacts-download.py", {
      run_id: runId,
      artifact_path: "plots",
      dst_path: mkdtempSync(join(scratch, "py-")),
    });
    expect(python).toEqual({ [`plots/${LEGAL}`]: sha256("png bytes"), "plots/ok.txt": sha256("ordinary") });
  }, 120_000);

  it("proxied: the server would decode acc 100%25.png into another name, so that file is skipped and the rest lands", async () => {
    const { client, runId } = await newRun("proxied");
    const error = (await client.artifacts.upload(runId, plotsFolder(), { artifactPath: "plots" }).catch((e: unknown) => e)) as IncompleteTransferError;
    expect(error).toBeInstanceOf(IncompleteTransferError);
    expect(error.transferred).toEqual(["plots/ok.txt"]);
    expect(error.skipped.map((entry) => [entry.path, entry.rule]).sort()).toEqual([
      [`plots/${LEGAL}`, "proxy-decodes"],
      [`plots/${UNSAFE}`, "fragment"],
    ]);
    expect(error.skipped.find((entry) => entry.rule === "proxy-decodes")!.reason).toContain('"plots/acc 100%.png"');
    expect((await client.artifacts.list(runId, "plots")).map((file) => file.path)).toEqual(["plots/ok.txt"]);
  }, 120_000);

  it("the CLI exits 1 on a partial upload (naming what it skipped), 0 on the download, and 2 only for usage errors", async () => {
    const { runId } = await newRun("direct");
    const up = await cli(["upload", runId, plotsFolder(), "--artifact-path", "plots"], "direct");
    expect(up.code).toBe(1);
    expect(up.stderr).toContain("Uploaded 2 of 3 files");
    expect(up.stderr).toContain(UNSAFE);

    const dest = mkdtempSync(join(scratch, "cli-"));
    const down = await cli(["download", runId, "plots", dest], "direct");
    expect(down).toMatchObject({ code: 0, stderr: expect.not.stringContaining("error") });
    expect(readFileSync(join(dest, "plots", LEGAL), "utf8")).toBe("png bytes");

    expect((await cli(["download", runId, "../plots", dest], "direct")).code).toBe(2);
  }, 120_000);
});
