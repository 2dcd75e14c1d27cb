/**
 * `mlflow-ts sync` in-process (runCli with captured streams) between two embedded stores: exit
 * codes 0, 1 and 2, the JSON report, the text report, the dry-run listing, and one progress line
 * per run on a stream that is not a terminal.
 */
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runCli } from "../../../../src/cli/program.js";
import { MlflowClient } from "../../../../src/client/client.js";
import { QUIET, removeTempDirs, tempDir } from "../../store/sqlite/helpers.js";
import { type SeededSource, seedModels, seedSource } from "../../sync/fixtures.js";

let dir: string;
let source: string;
let target: string;
let seeded: SeededSource;

beforeEach(async () => {
  dir = tempDir();
  source = `sqlite:///${join(dir, "source.db")}`;
  target = `sqlite:///${join(dir, "target.db")}`;
  const from = new MlflowClient({ trackingUri: source, env: QUIET });
  const to = new MlflowClient({ trackingUri: target, env: QUIET });
  seeded = await seedSource(from, dir, "cli", 20);
  for (const name of seeded.experimentNames) await to.experiments.create({ name, artifact_location: join(dir, `target-${name}`) });
  await Promise.all([from.close(), to.close()]);
});

afterEach(() => removeTempDirs());

async function cli(argv: string[], terminal = false) {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const io = {
    stdout: { write: (text: string) => stdout.push(text) },
    stderr: { isTTY: terminal, write: (text: string) => stderr.push(text) },
    env: { HOME: "/nonexistent", ...QUIET },
  };
  const code = await runCli(argv, io);
  return { code, stdout: stdout.join(""), stderr: stderr.join("") };
}

const experimentArgs = () => seeded.experimentNames.flatMap((name) => ["--experiment", name]);

describe("mlflow-ts sync", () => {
  it("exits 0 and prints the JSON report", async () => {
    const { code, stdout } = await cli(["sync", "--from", source, "--to", target, ...experimentArgs(), "--json"]);

    expect(code).toBe(0);
    const report = JSON.parse(stdout);
    expect(Object.keys(report).sort()).toEqual([
      "dryRun",
      "durationMs",
      "experiments",
      "from",
      "loggedModels",
      "modelVersions",
      "ok",
      "registeredModels",
      "runs",
      "to",
      "totals",
    ]);
    expect(report).toMatchObject({ ok: true, dryRun: false, from: source, to: target, totals: { runsCopied: 4, runsSkipped: 1, artifactFiles: 3 } });
    const baseline = report.runs.find((run: { runName: string }) => run.runName === "baseline");
    expect(Object.keys(baseline).sort()).toEqual(
      [
        "action",
        "artifactBytes",
        "artifactFiles",
        "datasets",
        "experimentName",
        "metricPoints",
        "outcome",
        "params",
        "reason",
        "runName",
        "sourceRunId",
        "tags",
        "targetRunId",
      ].sort(),
    );
  });

  it("prints one progress line per run on stderr and the totals on stdout", async () => {
    const { code, stdout, stderr } = await cli(["sync", "--from", source, "--to", target, ...experimentArgs()]);

    expect(code).toBe(0);
    const lines = stderr.trim().split("\n");
    expect(lines.slice(0, 3)).toEqual([
      `sync: experiment "${seeded.experimentNames[0]}" reused (id 1 on the target)`,
      `sync: experiment "${seeded.experimentNames[1]}" reused (id 2 on the target)`,
      "sync: 4 runs to copy, resume or update; 1 already done or skipped",
    ]);
    const runLines = lines
      .slice(3)
      .map((line) => line.replace(/ [0-9a-f]{32}/g, " <id>").replace(/^sync: \[[1-4]\/4\] /, ""))
      .sort();
    expect(runLines).toEqual([
      `copied "baseline" (${seeded.experimentNames[0]}) <id> → <id>: 30 points, 3 params, 6 tags, 3 files (195.3 KiB)`,
      `copied "bert" (${seeded.experimentNames[1]}) <id> → <id>: 2 points, 0 params, 5 tags, 0 files (0 B)`,
      `copied "eval" (${seeded.experimentNames[0]}) <id> → <id>: 3 points, 0 params, 6 tags, 0 files (0 B)`,
      `copied "tokenizer" (${seeded.experimentNames[1]}) <id> → <id>: 1 point, 1 param, 5 tags, 0 files (0 B)`,
    ]);
    expect(lines.slice(3).map((line) => line.slice(0, 12))).toEqual(["sync: [1/4] ", "sync: [2/4] ", "sync: [3/4] ", "sync: [4/4] "]);
    expect(stdout).toMatch(/^Synced sqlite:\/\/\/\/.*source\.db → sqlite:\/\/\/\/.*target\.db in \d+\.\d s\n/);
    expect(stdout).toContain("Experiments: 0 created, 2 reused\nRuns: 4 copied, 0 resumed, 0 updated, 1 skipped, 0 failed\n");
    expect(stdout).toContain(
      "Models: 0 logged models copied, 0 skipped, 0 failed; 0 model versions registered, 0 skipped, 0 failed; 0 registered models created\n",
    );
    expect(stdout).toContain("Sent: 36 metric points, 4 params, 22 tags, 1 dataset input, 3 artifact files (195.3 KiB)\nSkipped: 1 deleted at the source\n");
  });

  it("draws a progress bar over the runs on a terminal", async () => {
    const { code, stderr } = await cli(["sync", "--from", source, "--to", target, ...experimentArgs()], true);

    expect(code).toBe(0);
    expect(stderr).toContain("sync: 4 runs to copy, resume or update; 1 already done or skipped\n");
    expect(stderr).toContain("sync [");
    expect(stderr).toContain("4/4 runs");
    expect(stderr).not.toMatch(/sync: \[\d\/4\] copied/);
  });

  it("lists what it would copy in a dry run, then copies nothing the second time", async () => {
    const dry = await cli(["sync", "--from", source, "--to", target, ...experimentArgs(), "--dry-run"]);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain(`  copy    ${seeded.runIds.baseline}  "baseline" (experiment "${seeded.experimentNames[0]}"): not copied yet`);
    expect(dry.stdout).toContain("Runs: 4 would be copied, 0 would be resumed, 0 would be updated, 1 skipped, 0 failed");

    await cli(["sync", "--from", source, "--to", target, ...experimentArgs()]);
    const again = await cli(["sync", "--from", source, "--to", target, ...experimentArgs(), "--json"]);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout).totals).toMatchObject({ runsCopied: 0, runsSkipped: 5, metricPoints: 0 });
  });

  it("reports logged models, model versions and the versions it cannot copy", async () => {
    const from = new MlflowClient({ trackingUri: source, env: QUIET });
    const { registered } = await seedModels(from, seeded, "cli");
    await from.close();

    const { code, stdout, stderr } = await cli(["sync", "--from", source, "--to", target, ...experimentArgs()]);

    expect(code).toBe(0);
    expect(stdout).toContain(
      "Models: 2 logged models copied, 0 skipped, 0 failed; 3 model versions registered, 1 skipped, 0 failed; 2 registered models created\n",
    );
    expect(stdout).toContain(
      `Model versions not copied:\n  ${registered.stray} version 1: its source "s3://elsewhere/model" is not runs:/…, models:/m-… nor inside the artifact location of its run or logged model`,
    );
    const modelLines = stderr
      .split("\n")
      .filter((line) => /logged model|model version/.test(line))
      .map((line) => line.replace(/m-[0-9a-f]{32}/g, "<id>"));
    expect(modelLines).toEqual(
      expect.arrayContaining([
        `sync: copied logged model "classifier" (${seeded.experimentNames[0]}) <id> → <id>: 3 files (48.9 KiB)`,
        `sync: copied logged model "draft" (${seeded.experimentNames[0]}) <id> → <id>: 0 files (0 B)`,
        `sync: registered model version "${registered.clf}" 2 as version 2`,
        `sync: skipped model version "${registered.stray}" 1: its source "s3://elsewhere/model" is not runs:/…, models:/m-… nor inside the artifact location of its run or logged model`,
      ]),
    );
    expect(modelLines).toHaveLength(6);
  });

  it("reports the model versions, logged models and registered models it updated, and would update in a dry run", async () => {
    const from = new MlflowClient({ trackingUri: source, env: QUIET });
    const { registered, modelIds } = await seedModels(from, seeded, "cli");
    await cli(["sync", "--from", source, "--to", target, ...experimentArgs()]);
    await from.modelVersions.setTag(registered.clf, 1, "validated", "yes");
    await from.loggedModels.setTags(modelIds.classifier, { owner: "grace" });
    await from.registeredModels.update(registered.clf, { description: "the classifier, v2" });
    await from.close();

    const dry = await cli(["sync", "--from", source, "--to", target, ...experimentArgs(), "--dry-run"]);
    const { code, stdout, stderr } = await cli(["sync", "--from", source, "--to", target, ...experimentArgs()]);

    expect(dry.stdout).toContain(`  update  model version "${registered.clf}" 1: changed since the last copy: tags\n`);
    expect(dry.stdout).toContain(
      `  update  ${modelIds.classifier}  logged model "classifier" (experiment "${seeded.experimentNames[0]}"): changed since the last copy: tags\n`,
    );
    expect(dry.stdout).toContain(
      "Models: 0 logged models would be copied, 1 would be updated, 1 skipped, 0 failed; 0 model versions would be registered, 1 would be updated, 3 skipped, 0 failed; 0 registered models would be created\n",
    );
    expect(dry.stdout).toContain(`Registered models that would be updated:\n  ${registered.clf}: changed since the last copy: description\n`);
    expect(code).toBe(0);
    expect(stdout).toContain(
      "Models: 0 logged models copied, 1 updated, 1 skipped, 0 failed; 0 model versions registered, 1 updated, 3 skipped, 0 failed; 0 registered models created\n",
    );
    expect(stdout).toContain(`Registered models updated:\n  ${registered.clf}: changed since the last copy: description\n`);
    expect(stderr).toContain(`sync: updated model version "${registered.clf}" 1 (version 1 on the target): changed since the last copy: tags\n`);
    expect(stderr.replace(/m-[0-9a-f]{32}/g, "<id>")).toContain(
      `sync: updated logged model "classifier" (${seeded.experimentNames[0]}) <id> → <id> (changed since the last copy: tags): 0 files (0 B)\n`,
    );
  });

  it("lists the logged models and versions it would copy in a dry run", async () => {
    const from = new MlflowClient({ trackingUri: source, env: QUIET });
    const { registered, modelIds } = await seedModels(from, seeded, "cli");
    await from.close();

    const { code, stdout } = await cli(["sync", "--from", source, "--to", target, ...experimentArgs(), "--dry-run"]);

    expect(code).toBe(0);
    expect(stdout).toContain(`  copy    ${modelIds.classifier}  logged model "classifier" (experiment "${seeded.experimentNames[0]}"): not copied yet\n`);
    expect(stdout).toContain(`  copy    model version "${registered.clf}" 3: not copied yet\n`);
    expect(stdout).toContain(
      "Models: 2 logged models would be copied, 0 skipped, 0 failed; 3 model versions would be registered, 1 skipped, 0 failed; 2 registered models would be created\n",
    );
  });

  it("exits 1 and names what failed", async () => {
    const to = new MlflowClient({ trackingUri: target, env: QUIET });
    await to.experiments.delete((await to.experiments.getByName(seeded.experimentNames[1]))!.experiment_id);
    await to.close();

    const { code, stdout } = await cli(["sync", "--from", source, "--to", target, ...experimentArgs()]);

    expect(code).toBe(1);
    expect(stdout).toContain(
      `Failed:\n  experiment "${seeded.experimentNames[1]}": an experiment named "${seeded.experimentNames[1]}" is deleted on the target (id 2); restore it there, or rename one of the two\nRun the same command again`,
    );
  });

  it("exits 1 when the source database does not exist, without creating it", async () => {
    const missing = `sqlite:///${join(dir, "missing.db")}`;
    const { code, stderr } = await cli(["sync", "--from", missing, "--to", target]);
    expect(code).toBe(1);
    expect(stderr).toBe(
      `error: ${missing} does not exist (no file ${join(dir, "missing.db")}). Run the command in the folder that holds mlflow.db, or pass --from sqlite:////absolute/path/mlflow.db.\n`,
    );
  });

  it("exits 1 for an experiment the source does not have", async () => {
    const { code, stderr } = await cli(["sync", "--from", source, "--to", target, "--experiment", "nope"]);
    expect(code).toBe(1);
    expect(stderr).toContain('error: No experiment named "nope" in sqlite:///');
  });

  it.each([
    [["sync"], "required option '--to <uri>' not specified"],
    [["sync", "--to", "ftp://host"], "has an unsupported scheme"],
    [["sync", "--to", "http://h:5000", "--concurrency", "0"], "expected a whole number from 1 to 16"],
    [["sync", "--from", "sqlite:///x.db", "--to", "sqlite:///./x.db"], "--from and --to name the same store"],
    [["sync", "--from", "sqlite:///x.db", "--from-workspace", "a1", "--to", "sqlite:///./x.db", "--to-workspace", "a1"], "--from and --to name the same store"],
    [["sync", "--from", "sqlite:///x.db", "--to", "sqlite:///./x.db", "--to-workspace", "default"], "--from and --to name the same store"],
    [
      ["sync", "--from", "http://h:5000", "--to", "http://h:5000"],
      "To copy between two workspaces of one server or file, give --from-workspace and --to-workspace.",
    ],
    [
      ["sync", "--from", "http://h:5000", "--from-workspace", "team-a", "--to", "http://h:5000", "--to-workspace", "team-a"],
      "--from and --to name the same store",
    ],
    [["sync", "--to", "http://h:5000", "--to-workspace", "Team_A"], 'workspace "Team_A" must be lowercase letters, digits and inner hyphens'],
  ])("exits 2 on a usage error: %j", async (argv, message) => {
    const { code, stderr } = await cli(argv);
    expect(code).toBe(2);
    expect(stderr).toContain(message);
  });

  it("documents the exit codes and the idempotency tag in --help", async () => {
    const { code, stdout } = await cli(["sync", "--help"]);
    expect(code).toBe(0);
    expect(stdout).toContain("Usage: mlflow-ts sync [options]");
    expect(stdout).toContain("mlflow-ts.sync.sourceRunId");
    expect(stdout).toContain("mlflow-ts.sync.sourceModelId");
    expect(stdout).toContain("Exit codes: 0 when nothing failed, 1 when a run, an experiment, a logged model or a model version failed");
  });
});
