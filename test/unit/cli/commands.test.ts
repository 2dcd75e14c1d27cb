/**
 * The `mlflow-ts` command in-process (runCli with captured streams), against msw: exit codes
 * (0, 1, 2), help for every command, what `runs show`, `runs list` and `experiments list` print,
 * `doctor --json`, and the pointer to `doctor` on setup errors.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HttpResponse, http } from "msw";
import { afterEach, describe, expect, it } from "vitest";
import { cliCaptured } from "../helpers/cli.js";
import { API, experimentJson, mlflowError, RUN_ID, record, runJson, useMockServer } from "../helpers/mock-server.js";

const server = useMockServer();
const unhandled: string[] = [];
server.events.on("request:unhandled", ({ request }) => unhandled.push(`${request.method} ${request.url}`));
afterEach(() => {
  expect(unhandled.splice(0)).toEqual([]);
});

const cli = cliCaptured;

describe("help and version", () => {
  const commands = [
    [],
    ["doctor"],
    ["upload"],
    ["download"],
    ["experiments"],
    ["experiments", "list"],
    ["runs"],
    ["runs", "list"],
    ["runs", "show"],
    ["gate"],
    ["experiments", "create"],
    ["experiments", "delete"],
    ["artifacts"],
    ["artifacts", "list"],
    ["artifacts", "log"],
    ["artifacts", "download"],
    ["models"],
    ["models", "register"],
    ["models", "alias"],
    ["models", "describe"],
    ["workspaces"],
    ["workspaces", "list"],
  ];

  it.each(commands.map((path) => [path.join(" ") || "(no command)", path] as const))("prints help for %s and exits 0", async (_name, path) => {
    const { code, stdout } = await cli([...path, "--help"]);
    expect(code).toBe(0);
    expect(stdout).toContain(`Usage: mlflow-ts${path.length ? ` ${path.join(" ")}` : ""}`);
  });

  it("prints the version", async () => {
    expect(await cli(["--version"])).toEqual({ code: 0, stdout: "0.1.0\n", stderr: "" });
  });

  it("documents the exit codes of doctor", async () => {
    expect((await cli(["doctor", "--help"])).stdout).toContain("Exit codes: 0 when no check failed");
  });
});

describe("usage errors exit 2", () => {
  it.each([
    [["frobnicate"], "unknown command"],
    [["upload", RUN_ID], "missing required argument 'path'"],
    [["runs", "list"], "required option '-e, --experiment <name>' not specified"],
    [["runs", "list", "-e", "x", "--limit", "many"], "expected a whole number"],
    [["doctor", "--timeout", "soon"], "expected a number of seconds"],
    [["doctor", "--frobnicate"], "unknown option"],
    [["runs", "show", "bad/run id"], "is not a valid run id"],
  ])("%j", async (argv, message) => {
    const { code, stderr } = await cli(argv);
    expect(code).toBe(2);
    expect(stderr).toContain(message);
  });

  it("prints the help (exit 2) when no command is given", async () => {
    const { code, stderr } = await cli([]);
    expect(code).toBe(2);
    expect(stderr).toContain("Usage: mlflow-ts");
  });
});

describe("runs and experiments", () => {
  it("shows a run: status, times, artifact URI, params, latest metrics and tags", async () => {
    const run = runJson();
    run.data = {
      params: [{ key: "lr", value: "0.01" }],
      metrics: [{ key: "loss", value: 0.25, timestamp: 1_700_000_000_500, step: 19 }],
      tags: [{ key: "mlflow.runName", value: "bright-owl-42" }],
    };
    const gets = record(server, "get", `${API}/runs/get`, () => ({ run }));
    const { code, stdout } = await cli(["runs", "show", RUN_ID]);
    expect(code).toBe(0);
    expect(gets.map((g) => g.query.get("run_id"))).toEqual([RUN_ID]);
    expect(stdout).toBe(
      [
        `Run ${RUN_ID} (bright-owl-42): RUNNING`,
        "  experiment:   1",
        "  started:      2023-11-14T22:13:20Z",
        "  ended:        -",
        `  artifact URI: s3://mlflow/1/${RUN_ID}/artifacts`,
        "Params:",
        "  lr  0.01",
        "Metrics (latest):",
        "  loss  0.25 (step 19)",
        "Tags:",
        "  mlflow.runName  bright-owl-42",
        "",
      ].join("\n"),
    );
  });

  it("prints a run as JSON with --json", async () => {
    record(server, "get", `${API}/runs/get`, () => ({ run: runJson() }));
    const { stdout } = await cli(["runs", "show", RUN_ID, "--json"]);
    expect(JSON.parse(stdout).info.run_id).toBe(RUN_ID);
  });

  it("exits 1 with the server's message when the run does not exist", async () => {
    record(server, "get", `${API}/runs/get`, () => mlflowError(404, "RESOURCE_DOES_NOT_EXIST", `Run '${RUN_ID}' not found`));
    const { code, stderr } = await cli(["runs", "show", RUN_ID]);
    expect(code).toBe(1);
    expect(stderr).toBe(`error: RESOURCE_DOES_NOT_EXIST: Run '${RUN_ID}' not found (HTTP 404, GET /api/2.0/mlflow/runs/get)\n`);
  });

  it("exits 1, not 2, when the artifact proxy would rename the file being uploaded", async () => {
    const run = runJson();
    (run.info as Record<string, unknown>).artifact_uri = `mlflow-artifacts:/1/${RUN_ID}/artifacts`;
    record(server, "get", `${API}/runs/get`, () => ({ run }));
    const dir = mkdtempSync(join(tmpdir(), "cli-proxy-name-"));
    try {
      const file = join(dir, "acc 100%25.png");
      writeFileSync(file, "png");
      const { code, stderr } = await cli(["upload", RUN_ID, file]);
      expect(stderr).toMatch(/proxy/);
      expect(code).toBe(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("lists the runs of an experiment by name, newest first, within --limit", async () => {
    record(server, "get", `${API}/experiments/get-by-name`, () => ({ experiment: experimentJson("4", "mnist") }));
    const searches = record(server, "post", `${API}/runs/search`, () => ({ runs: [runJson()] }));
    const { code, stdout } = await cli(["runs", "list", "--experiment", "mnist", "--limit", "5"]);
    expect(code).toBe(0);
    expect(searches.map((s) => s.body)).toEqual([{ experiment_ids: ["4"], order_by: ["attributes.start_time DESC"], max_results: 5 }]);
    expect(stdout.split("\n")).toEqual([
      "RUN ID                            NAME           STATUS   STARTED",
      `${RUN_ID}  bright-owl-42  RUNNING  2023-11-14T22:13:20Z`,
      "",
    ]);
  });

  it("exits 1 naming the experiment when it does not exist", async () => {
    record(server, "get", `${API}/experiments/get-by-name`, () => mlflowError(404, "RESOURCE_DOES_NOT_EXIST", "no"));
    const { code, stderr } = await cli(["runs", "list", "-e", "nope"]);
    expect(code).toBe(1);
    expect(stderr).toContain('There is no experiment named "nope" at http://mlflow.test:5000');
  });

  it("lists experiments across pages", async () => {
    const searches = record(server, "post", `${API}/experiments/search`, (_req, n) =>
      n === 1 ? { experiments: [experimentJson("0", "Default")], next_page_token: "p2" } : { experiments: [experimentJson("4", "mnist")] },
    );
    const { code, stdout } = await cli(["experiments", "list"]);
    expect(code).toBe(0);
    expect(searches.map((s) => (s.body as { page_token?: string }).page_token)).toEqual([undefined, "p2"]);
    expect(stdout).toBe("ID  NAME     STATE   ARTIFACT LOCATION\n0   Default  active  s3://mlflow/0\n4   mnist    active  s3://mlflow/4\n");
  });

  it("points to doctor when the server cannot be reached", async () => {
    server.use(http.post(`${API}/experiments/search`, () => HttpResponse.error()));
    const { code, stderr } = await cli(["experiments", "list"]);
    expect(code).toBe(1);
    expect(stderr).toMatch(/^error: Connection to mlflow\.test:5000 failed: .*\nRun `mlflow-ts doctor` to check the setup\.\n$/);
  });
});

describe("doctor", () => {
  it("exits 1 and prints the report as JSON when a check fails", async () => {
    const { code, stdout } = await cli(["doctor", "--json"], { MLFLOW_S3_ENDPOINT_URL: "s3://mlflow" });
    expect(code).toBe(1);
    const report = JSON.parse(stdout);
    expect(Object.keys(report).sort()).toEqual(["checks", "durationMs", "ok"]);
    expect(report.ok).toBe(false);
    expect(report.checks).toHaveLength(17);
    expect(report.checks[0]).toMatchObject({ id: "config", status: "fail" });
    expect(report.checks.slice(1).every((check: { status: string }) => check.status === "skip")).toBe(true);
  });

  it("prints one line per check and the summary as text", async () => {
    const { code, stdout } = await cli(["doctor"], { MLFLOW_S3_ENDPOINT_URL: "s3://mlflow" });
    expect(code).toBe(1);
    const lines = stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^FAIL {2}Configuration +MLFLOW_S3_ENDPOINT_URL must be the http\(s\) URL/);
    expect(lines[1]).toMatch(/^ {6}fix: Correct MLFLOW_S3_ENDPOINT_URL/);
    expect(lines.at(-1)).toMatch(/^17 checks: 0 passed, 1 failed, 16 skipped in /);
  });

  it("exits 1 under CI when MLFLOW_TRACKING_URI is empty, and 0 with --no-require-server", async () => {
    const directory = mkdtempSync(join(tmpdir(), "mlflow-ts-cli-doctor-"));
    try {
      const empty = await cli(["doctor", "--json"], { CI: "true", MLFLOW_TRACKING_URI: "" });
      expect(empty.code).toBe(1);
      expect(JSON.parse(empty.stdout).checks[0]).toMatchObject({
        id: "config",
        status: "fail",
        detail: expect.stringMatching(/^MLFLOW_TRACKING_URI is not set/),
      });
      const local = { CI: "true", MLFLOW_TRACKING_URI: `sqlite:///${join(directory, "mlflow.db")}`, MLFLOW_TS_QUIET_LOCAL_STORE: "true" };
      expect((await cli(["doctor", "--json", "--no-write"], local)).code).toBe(1);
      expect((await cli(["doctor", "--json", "--no-write", "--no-require-server"], local)).code).toBe(0);
      expect((await cli(["doctor", "--json", "--no-write", "--require-server"], { ...local, CI: "" })).code).toBe(1);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });

  it("exits 0 when nothing failed (an embedded store with nothing to write)", async () => {
    const directory = mkdtempSync(join(tmpdir(), "mlflow-ts-cli-doctor-"));
    try {
      const { code, stdout } = await cli(["doctor", "--json", "--no-write"], {
        MLFLOW_TRACKING_URI: `sqlite:///${join(directory, "mlflow.db")}`,
        MLFLOW_TS_QUIET_LOCAL_STORE: "true",
      });
      const report = JSON.parse(stdout);
      expect(report.checks.filter((check: { status: string }) => check.status === "fail")).toEqual([]);
      expect(report.checks.find((check: { id: string }) => check.id === "artifacts.mode").detail).toMatch(/^Local: artifacts are written to /);
      expect(code).toBe(0);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});
