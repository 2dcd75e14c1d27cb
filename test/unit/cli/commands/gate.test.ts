/**
 * `mlflow-ts gate` in-process against msw: usage errors exit 2 before any request, a threshold-only
 * gate on a run, `--json` as the only stdout, the Markdown summary appended, and the promotion
 * protocol's refusals (the baseline moved before the set: no set; another gate set the alias after
 * this one: "lost the race"), each with the requests it made.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { cliCaptured } from "../../helpers/cli.js";
import { API, mlflowError, modelVersionJson, RUN_ID, record, runJson, useMockServer } from "../../helpers/mock-server.js";

const server = useMockServer();
const unhandled: string[] = [];
server.events.on("request:unhandled", ({ request }) => unhandled.push(`${request.method} ${request.url}`));
afterEach(() => {
  expect(unhandled.splice(0)).toEqual([]);
});
const dir = mkdtempSync(join(tmpdir(), "mlflow-ts-gate-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const CANDIDATE_RUN = "fedcba9876543210fedcba9876543210";

const cli = cliCaptured;

/** runs/get answering each run id with its own latest metrics. */
function runsWith(metrics: Record<string, Record<string, number | string>>) {
  return record(server, "get", `${API}/runs/get`, (req) => {
    const runId = req.query.get("run_id")!;
    const run = runJson({ run_id: runId });
    const values = Object.entries(metrics[runId] ?? {}).map(([key, value]) => ({ key, value, timestamp: 1, step: 0 }));
    return { run: { ...run, data: { ...(run.data as object), metrics: values } } };
  });
}

/** model-versions/get and get-download-uri for versions 3 (baseline, run RUN_ID) and 5 (candidate). */
function versions() {
  const runOf: Record<string, string> = { "3": RUN_ID, "5": CANDIDATE_RUN };
  record(server, "get", `${API}/model-versions/get`, (req) => {
    const version = req.query.get("version")!;
    return { model_version: { ...modelVersionJson("fraud", version), run_id: runOf[version] } };
  });
  record(server, "get", `${API}/model-versions/get-download-uri`, () => ({ artifact_uri: "s3://mlflow/1/x/artifacts/model" }));
}

describe("usage errors exit 2 before any request", () => {
  it.each([
    [["gate", RUN_ID], "Nothing to check. Fix: add --metric"],
    [["gate", RUN_ID, "--metric", "acc"], '--metric "acc" has no direction (max or min). Fix: write it as <key>:<max|min>[:<tolerance>[%]]'],
    [["gate", RUN_ID, "--metric", "acc:max:lots"], 'the tolerance "lots" is not a number ≥ 0'],
    [["gate", RUN_ID, "--threshold", "acc>0.9"], '--threshold "acc>0.9" is not a key, >= or <=, and a finite number. Fix:'],
    [["gate", RUN_ID, "--metric", "acc:max"], "--metric compares with a baseline, and none is named. Fix: add --name"],
    [["gate", RUN_ID, "--threshold", "acc>=0.9", "--promote"], "--promote needs the registered model to promote into. Fix: add --name"],
    [["gate", RUN_ID, "--threshold", "acc>=0.9", "--name", "fraud", "--bootstrap"], "--bootstrap only applies with --promote"],
    [["gate", RUN_ID, "--threshold", "acc>=0.9", "--name", "fraud", "--promote"], "names a run, not a model in it. Fix: give runs:/<run id>/<model path>"],
    [["gate", RUN_ID, "--threshold", "acc>=0.9", "--alias", "latest"], "latest"],
    [["gate", RUN_ID, "--threshold", "acc>=0.9", "--settle-ms", "soon"], "expected a whole number of milliseconds"],
  ])("%j", async (argv, message) => {
    const { code, stdout, stderr } = await cli(argv);
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toContain(message);
  });
});

describe("a gate on thresholds", () => {
  it("passes a run within its bounds and prints the table", async () => {
    runsWith({ [RUN_ID]: { acc: 0.93, latency_ms: 80 } });
    const { code, stdout, stderr } = await cli(["gate", RUN_ID, "--threshold", "acc>=0.9", "--threshold", "latency_ms<=100"]);
    expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
    expect(stdout).toContain(`Candidate: ${RUN_ID}\nBaseline:  none (thresholds only)`);
    expect(stdout).toMatch(/acc\s+max\s+>= 0\.9\s+0\.9\s+0\.93\s+\+0\.03\s+pass/);
    expect(stdout).toContain("Gate passed: 2 of 2 checks.");
  });

  it("with --json prints one JSON document and nothing else; NaN as a string; exit 1 on a failed check", async () => {
    runsWith({ [RUN_ID]: { acc: "NaN" } });
    const { code, stdout } = await cli(["gate", RUN_ID, "--threshold", "acc>=0.9", "--json"]);
    expect(code).toBe(1);
    expect(JSON.parse(stdout)).toEqual({
      passed: false,
      candidate: { uri: RUN_ID, runId: RUN_ID, modelId: null, name: null, version: null },
      baseline: null,
      bootstrap: false,
      checks: [
        {
          key: "acc",
          kind: "threshold",
          direction: "max",
          rule: ">= 0.9",
          baseline: 0.9,
          candidate: "NaN",
          delta: null,
          passed: false,
          reason: "the candidate's value is NaN",
        },
      ],
      promotion: null,
    });
  });

  it("appends the Markdown summary to --summary, and to $GITHUB_STEP_SUMMARY when no --summary is given", async () => {
    runsWith({ [RUN_ID]: { acc: 0.8 } });
    const summary = join(dir, "summary.md");
    const step = join(dir, "step.md");
    writeFileSync(step, "earlier step\n");
    await cli(["gate", RUN_ID, "--threshold", "acc>=0.9", "--summary", summary], { GITHUB_STEP_SUMMARY: join(dir, "unused.md") });
    await cli(["gate", RUN_ID, "--threshold", "acc>=0.9"], { GITHUB_STEP_SUMMARY: step });
    const markdown = readFileSync(summary, "utf8");
    expect(markdown).toContain("### mlflow-ts gate: failed");
    expect(markdown).toContain("| `acc` | max | >= 0.9 | 0.9 | 0.8 | -0.1 | **FAIL: not >= 0.9** |");
    expect(readFileSync(step, "utf8")).toMatch(/^earlier step\n### mlflow-ts gate: failed/);
  });
});

describe("--promote", () => {
  const args = ["gate", "models:/fraud/5", "--name", "fraud", "--metric", "acc:max", "--promote", "--settle-ms", "0"];

  it("refuses without setting the alias when it moved between the comparison and the promotion", async () => {
    runsWith({ [RUN_ID]: { acc: 0.9 }, [CANDIDATE_RUN]: { acc: 0.95 } });
    versions();
    const reads = record(server, "get", `${API}/registered-models/alias`, (_req, n) => ({ model_version: modelVersionJson("fraud", n === 1 ? "3" : "4") }));
    const sets = record(server, "post", `${API}/registered-models/alias`);
    const { code, stdout, stderr } = await cli(args);
    expect(code).toBe(1);
    expect(sets).toHaveLength(0);
    expect(reads).toHaveLength(2);
    expect(stderr).toContain(
      "error: baseline moved: models:/fraud@champion was version 3 when the gate compared, now version 4; the alias was not changed. Fix: re-run the gate against the new baseline.",
    );
    expect(stdout).toContain("Gate passed: 1 of 1 checks.\nNot promoted: baseline moved");
  });

  it("reports the lost race when another gate set the alias after this one", async () => {
    runsWith({ [RUN_ID]: { acc: 0.9 }, [CANDIDATE_RUN]: { acc: 0.95 } });
    versions();
    const reads = record(server, "get", `${API}/registered-models/alias`, (_req, n) => ({ model_version: modelVersionJson("fraud", n <= 3 ? "3" : "6") }));
    const sets = record(server, "post", `${API}/registered-models/alias`);
    const { code, stderr } = await cli([...args, "--json"]);
    expect(code).toBe(1);
    expect(sets.map((req) => req.body)).toEqual([{ name: "fraud", alias: "champion", version: "5" }]);
    expect(reads).toHaveLength(4);
    expect(stderr).toContain(
      "error: lost the race: another gate set models:/fraud@champion to version 6 after this gate set it to version 5; that gate's promotion stands. Version 5 stays registered without the alias.",
    );
  });

  it("moves the alias and exits 0 when it still points at the compared version after the set", async () => {
    runsWith({ [RUN_ID]: { acc: 0.9 }, [CANDIDATE_RUN]: { acc: 0.95 } });
    versions();
    record(server, "get", `${API}/registered-models/alias`, (_req, n) => ({ model_version: modelVersionJson("fraud", n <= 3 ? "3" : "5") }));
    const sets = record(server, "post", `${API}/registered-models/alias`);
    const { code, stdout, stderr } = await cli(args);
    expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
    expect(sets).toHaveLength(1);
    expect(stdout).toContain("Promoted: models:/fraud@champion → version 5.");
  });

  it("does not touch the registry when a check fails", async () => {
    runsWith({ [RUN_ID]: { acc: 0.9 }, [CANDIDATE_RUN]: { acc: 0.5 } });
    versions();
    const reads = record(server, "get", `${API}/registered-models/alias`, () => ({ model_version: modelVersionJson("fraud", "3") }));
    const { code, stdout } = await cli(args);
    expect(code).toBe(1);
    expect(reads).toHaveLength(1);
    expect(stdout).toContain("Not promoted: a check failed; models:/fraud@champion is unchanged.");
  });

  it("exits 2 naming the alias and --bootstrap when the alias does not exist", async () => {
    runsWith({ [CANDIDATE_RUN]: { acc: 0.95 } });
    versions();
    record(server, "get", `${API}/registered-models/alias`, () => mlflowError(400, "INVALID_PARAMETER_VALUE", "Registered model alias champion not found."));
    const { code, stderr } = await cli(args);
    expect(code).toBe(2);
    expect(stderr).toContain('error: The baseline models:/fraud@champion names no version: registered model "fraud" has no alias "champion"');
    expect(stderr).toContain('Fix: for the first model of "fraud" add --promote --bootstrap');
  });
});
