/**
 * The BUILT `mlflow-ts` command (`dist/cli/main.js`, rebuilt with tsconfig.build.json when older
 * than the sources) as a child process on the real stack: exit codes 0, 1 and 2, the `--json`
 * report, `--help` for every command, upload/download with plain progress lines, runs and
 * experiments listings, and no secret (canaries planted in MLFLOW_TRACKING_PASSWORD and
 * AWS_SECRET_ACCESS_KEY) in stdout or stderr.
 */
import { randomUUID } from "node:crypto";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MlflowClient } from "../../src/index.js";
import { stackClientEnv, stackEnv } from "./artifacts-support.js";
import { ensureCliBuilt, runBuiltCli } from "./support/cli.js";
import { directBucketPattern } from "./support/stack.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const CHECK_KEYS = ["detail", "durationMs", "hint", "id", "status", "title"];

const directEnv = (): Record<string, string> => stackClientEnv(stackEnv("MLFLOW_TRACKING_URI"));

beforeAll(() => {
  ensureCliBuilt();
}, 360_000);

describe("mlflow-ts doctor (built command)", () => {
  it("exits 0 on the healthy direct stack and prints the JSON report", async () => {
    const { code, stdout, stderr } = await runBuiltCli(["doctor", "--json", "--experiment", `cli-doctor-${randomUUID()}`, "--round-trip"], directEnv());
    expect(stderr).toBe("");
    const report = JSON.parse(stdout);
    expect(Object.keys(report).sort()).toEqual(["checks", "durationMs", "ok"]);
    expect(report.checks).toHaveLength(17);
    for (const check of report.checks) {
      expect(Object.keys(check).sort()).toEqual(CHECK_KEYS);
      expect(["pass", "warn", "fail", "skip"]).toContain(check.status);
    }
    expect(report.checks.filter((check: { status: string }) => check.status !== "pass").map((check: { id: string }) => check.id)).toEqual(["artifacts.proxy"]);
    expect(report.ok).toBe(true);
    expect(code).toBe(0);
  });

  it("prints text, one line per check, and exits 1 when a check fails", async () => {
    const { code, stdout } = await runBuiltCli(["doctor", "--no-write"], { ...directEnv(), AWS_ACCESS_KEY_ID: "no-such-access-key" });
    expect(code).toBe(1);
    expect(stdout).toMatch(/^PASS {2}Configuration /);
    expect(stdout).toMatch(
      /\nFAIL {2}S3 credentials +The S3 server .* does not know access key …-key \(AWS_ACCESS_KEY_ID\) \(InvalidAccessKeyId\)\.\n {6}fix: Set AWS_ACCESS_KEY_ID/,
    );
    // On a fresh stack the probe experiment does not exist yet and --no-write may not create it: a warning.
    expect(stdout).toMatch(/\n17 checks: \d+ passed, (\d+ warnings?, )?1 failed, \d+ skipped in [\d.]+ s\. Fix the first failure above/);
  });

  it("exits 2 on a usage error", async () => {
    const bad = await runBuiltCli(["doctor", "--no-such-flag"], directEnv());
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("unknown option '--no-such-flag'");
    expect((await runBuiltCli(["frobnicate"], directEnv())).code).toBe(2);
  });

  it("never prints the tracking password or the AWS secret key, as text or JSON, failing or not", async () => {
    const password = `pw-canary-${randomUUID()}`;
    const secret = `aws-canary-${randomUUID()}`;
    const wrongPassword = {
      ...stackClientEnv(stackEnv("STACK_AUTH_URI")),
      MLFLOW_TRACKING_USERNAME: stackEnv("STACK_AUTH_ADMIN_USER"),
      MLFLOW_TRACKING_PASSWORD: password,
    };
    const wrongSecret = { ...directEnv(), AWS_SECRET_ACCESS_KEY: secret, MLFLOW_TRACKING_PASSWORD: password, MLFLOW_TRACKING_USERNAME: "nobody" };
    const outcomes = await Promise.all([
      runBuiltCli(["doctor"], wrongPassword),
      runBuiltCli(["doctor", "--json"], wrongPassword),
      runBuiltCli(["experiments", "list"], wrongPassword),
      runBuiltCli(["doctor", "--experiment", `cli-canary-${randomUUID()}`], { ...directEnv(), AWS_SECRET_ACCESS_KEY: secret }),
      runBuiltCli(["doctor", "--json"], { ...directEnv(), AWS_SECRET_ACCESS_KEY: secret }),
      runBuiltCli(["doctor", "--json"], wrongSecret),
    ]);
    expect(outcomes.map((outcome) => outcome.code)).toEqual([1, 1, 1, 1, 1, 1]);
    expect(outcomes[0]!.stdout).toMatch(/FAIL {2}Authentication .*HTTP 401/);
    expect(outcomes[2]!.stderr).toMatch(/UNAUTHENTICATED|HTTP 401/);
    expect(outcomes[3]!.stdout).toMatch(/FAIL {2}S3 credentials .*SignatureDoesNotMatch/);
    for (const outcome of outcomes) {
      expect(outcome.stdout + outcome.stderr).not.toContain(password);
      expect(outcome.stdout + outcome.stderr).not.toContain(secret);
    }
  });
});

describe("--help and --version (built command)", () => {
  it.each([
    [[]],
    [["doctor"]],
    [["upload"]],
    [["download"]],
    [["experiments"]],
    [["experiments", "list"]],
    [["runs"]],
    [["runs", "list"]],
    [["runs", "show"]],
    [["gate"]],
  ])("%j --help exits 0 with its usage", async (path: string[]) => {
    const { code, stdout } = await runBuiltCli([...path, "--help"], {});
    expect(code).toBe(0);
    expect(stdout).toContain(`Usage: mlflow-ts${path.length ? ` ${path.join(" ")}` : ""}`);
  });

  it("--version prints the package version", async () => {
    const { version } = JSON.parse(await readFile(join(ROOT, "package.json"), "utf8")) as { version: string };
    expect(await runBuiltCli(["--version"], {})).toEqual({ code: 0, stdout: `${version}\n`, stderr: "" });
  });
});

describe("artifacts, runs and experiments through the built command", () => {
  let client: MlflowClient;
  let runId: string;
  let experimentName: string;
  let work: string;

  beforeAll(async () => {
    client = new MlflowClient({ env: directEnv() });
    experimentName = `cli-${randomUUID()}`;
    const experimentId = await client.experiments.create({ name: experimentName });
    const run = await client.runs.create({ experiment_id: experimentId, run_name: "cli-run" });
    runId = run.info.run_id;
    await client.runs.logBatch(runId, { params: { lr: 0.01 }, metrics: [{ key: "loss", value: 0.5, step: 3 }] });
    work = await mkdtemp(join(tmpdir(), "mlflow-ts-cli-"));
    await mkdir(join(work, "model/sub"), { recursive: true });
    await writeFile(join(work, "model/weights.bin"), Buffer.alloc(3 * 1024 * 1024, 7));
    await writeFile(join(work, "model/sub/config.json"), '{"layers":3}');
  });

  afterAll(async () => {
    await client.close();
    await rm(work, { recursive: true, force: true });
  });

  it("uploads a directory with plain progress lines off a terminal, then downloads it back", async () => {
    const up = await runBuiltCli(["upload", runId, join(work, "model"), "--artifact-path", "model"], directEnv());
    expect(up).toMatchObject({ code: 0, stdout: `Uploaded 2 files (3.0 MiB) to run ${runId} under model.\n` });
    expect(up.stderr).toContain("upload: 3.0 MiB of 3.0 MiB (100%), 2 of 2 files\n");
    expect(up.stderr.split("\n").at(-2)).toMatch(/^upload: done: 2 files, 3\.0 MiB in [\d.]+ s \([\d.]+ [KMG]?i?B\/s\)$/);
    expect((await client.artifacts.list(runId, "model")).map((file) => file.path)).toEqual(["model/sub", "model/weights.bin"]);

    const dest = join(work, "back");
    const down = await runBuiltCli(["download", runId, "model", dest], directEnv());
    expect(down).toMatchObject({ code: 0, stdout: `Downloaded model of run ${runId} to ${join(dest, "model")}.\n` });
    expect(down.stderr).toContain("download: 3.0 MiB of 3.0 MiB (100%)");
    expect(await readFile(join(dest, "model/sub/config.json"), "utf8")).toBe('{"layers":3}');
    expect((await readFile(join(dest, "model/weights.bin"))).equals(Buffer.alloc(3 * 1024 * 1024, 7))).toBe(true);
  });

  it("downloads a registered model by alias (models:/<name>@champion), and names the fix for a missing alias", async () => {
    const info = await client.models.log({ runId, flavor: "files", model: join(work, "model", "sub"), name: "cli_model" });
    const name = `cli-model-${randomUUID()}`;
    await client.models.register(info.modelUri, name, { alias: "champion" });
    const dest = join(work, "deployed");
    const down = await runBuiltCli(["download", `models:/${name}@champion`, dest], directEnv());
    expect(down).toMatchObject({ code: 0, stdout: `Downloaded models:/${name}@champion to ${dest}.\n` });
    expect(await readFile(join(dest, "files", "config.json"), "utf8")).toBe('{"layers":3}');
    expect(await readFile(join(dest, "registered_model_meta"), "utf8")).toBe(`model_name: ${name}\nmodel_version: '1'\n`);
    const missing = await runBuiltCli(["download", `models:/${name}@nope`, dest], directEnv());
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(`"models:/${name}@nope" names nothing`);
    expect(missing.stderr).toContain("Fix: point the alias at a version");
  });

  it("exits 1 for an upload of a missing path", async () => {
    const { code, stderr } = await runBuiltCli(["upload", runId, join(work, "nothing-here")], directEnv());
    expect(code).toBe(1);
    expect(stderr).toContain("does not exist");
  });

  it("shows a run's params, latest metrics, tags and artifact URI", async () => {
    const { code, stdout } = await runBuiltCli(["runs", "show", runId], directEnv());
    expect(code).toBe(0);
    expect(stdout).toContain(`Run ${runId} (cli-run): RUNNING`);
    expect(stdout).toMatch(new RegExp(`\\n {2}artifact URI: s3://${directBucketPattern()}/\\d+/[0-9a-f]{32}/artifacts\\n`));
    expect(stdout).toMatch(/\nParams:\n {2}lr {2}0\.01\n/);
    expect(stdout).toMatch(/\nMetrics \(latest\):\n {2}loss {2}0\.5 \(step 3\)\n/);
    expect(stdout).toMatch(/\nTags:\n(.*\n)* {2}mlflow\.runName +cli-run\n/);
  });

  it("lists the experiment's runs and the experiments", async () => {
    const runs = await runBuiltCli(["runs", "list", "--experiment", experimentName], directEnv());
    expect(runs.code).toBe(0);
    expect(runs.stdout).toMatch(new RegExp(`^RUN ID +NAME +STATUS +STARTED\\n${runId}  cli-run  RUNNING  \\d{4}-\\d\\d-\\d\\dT`));
    const experiments = await runBuiltCli(["experiments", "list", "--json"], directEnv());
    expect(experiments.code).toBe(0);
    expect((JSON.parse(experiments.stdout) as { name: string }[]).map((e) => e.name)).toContain(experimentName);
  });
});
