/**
 * The Run's logging calls: validation at the call (the key and the rule named, nothing else in the
 * buffer affected), write-once params, and the artifact methods' delegation to the client (to the
 * artifact URI the run already holds).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HttpResponse } from "msw";
import { describe, expect, it, vi } from "vitest";
import { ConfigurationError, startRun, ValidationError } from "../../../src/index.js";
import { API, BASE, experimentJson, record, runJson, testClient, useMockServer } from "../helpers/mock-server.js";
import { validationError } from "../helpers/validation-error.js";
import { batchOf, openTestRun, RUN_ID } from "./helpers.js";

const server = useMockServer();

describe("validation at the call", () => {
  it("refuses a bad metric key, naming key and rule, and leaves the buffer intact", async () => {
    const batches = record(server, "post", `${API}/runs/log-batch`);
    const { run } = await openTestRun(server);
    run.logMetric("loss", 1, { step: 1 });
    const error = validationError(() => run.logMetric("loss$", 2, { step: 2 }));
    expect(error).toMatchObject({ key: "loss$", rule: "key-characters" });
    expect(error.message).toContain('"loss$"');
    expect(validationError(() => run.logMetric("a//b", 2)).rule).toBe("key-path");
    expect(validationError(() => run.logMetric("x".repeat(251), 2)).rule).toBe("key-length");
    expect(validationError(() => run.logMetric("", 2)).rule).toBe("key-empty");
    run.logMetric("loss", 3, { step: 3 });
    await run.flush();
    expect(batchOf(batches[0]!).metrics.map((m) => [m.key, m.step])).toEqual([
      ["loss", 1],
      ["loss", 3],
    ]);
    expect(run.stats()).toMatchObject({ logged: 2, sent: 2 });
  });

  it("refuses non-number values, fractional steps and bad timestamps, and accepts NaN and ±Infinity", async () => {
    const { run } = await openTestRun(server);
    expect(validationError(() => run.logMetric("acc", "0.9" as unknown as number))).toMatchObject({ key: "acc", rule: "metric-value" });
    expect(validationError(() => run.logMetric("acc", true as unknown as number)).rule).toBe("metric-value");
    expect(validationError(() => run.logMetric("acc", 1, { step: 1.5 })).rule).toBe("metric-step");
    expect(validationError(() => run.logMetric("acc", 1, { timestamp: -1 })).rule).toBe("metric-timestamp");
    expect(validationError(() => run.logMetric("acc", 1, { timestamp: 1.5 })).rule).toBe("metric-timestamp");
    run.logMetric("acc", Number.NaN);
    run.logMetric("acc", Number.POSITIVE_INFINITY);
    expect(run.stats().logged).toBe(2);
  });

  it("logMetrics buffers nothing when one entry is bad", async () => {
    const { run } = await openTestRun(server);
    expect(validationError(() => run.logMetrics({ acc: 0.9, "bad key!": 1 }, { step: 1 })).key).toBe("bad key!");
    expect(validationError(() => run.logMetrics({ acc: 0.9, f1: null as unknown as number })).key).toBe("f1");
    expect(run.stats().logged).toBe(0);
    run.logMetrics({ acc: 0.9, f1: 0.8 }, { step: 2 });
    expect(run.stats().logged).toBe(2);
  });

  it("refuses over-long param and tag values rather than letting the server truncate them", async () => {
    const { run } = await openTestRun(server);
    expect(validationError(() => run.logParam("notes", "x".repeat(6001)))).toMatchObject({ key: "notes", rule: "value-length" });
    expect(validationError(() => run.setTag("notes", "x".repeat(8001)))).toMatchObject({ key: "notes", rule: "value-length" });
    run.logParam("notes", "x".repeat(6000));
    run.setTag("notes", "x".repeat(8000));
    expect(run.stats().logged).toBe(2);
  });

  it("refuses tags and params whose value has no string form", async () => {
    const { run } = await openTestRun(server);
    expect(validationError(() => run.setTag("fn", () => 1)).rule).toBe("value-type");
    expect(validationError(() => run.logParams({ ok: 1, bad: undefined })).rule).toBe("value-type");
    expect(run.stats().logged).toBe(0);
  });
});

describe("params are write-once", () => {
  it("ignores a re-log with the same value and refuses a different one with rule param-changed", async () => {
    const batches = record(server, "post", `${API}/runs/log-batch`);
    const { run } = await openTestRun(server);
    run.logParam("lr", 0.01);
    await run.flush();
    run.logParam("lr", 0.01);
    run.logParams({ lr: "0.01", layers: 3 });
    const error = validationError(() => run.logParam("lr", 0.02));
    expect(error).toMatchObject({ key: "lr", rule: "param-changed" });
    expect(error.message).toContain('"0.01"');
    expect(error.message).toContain('"0.02"');
    await run.flush();
    expect(batches.map((b) => batchOf(b).params)).toEqual([[{ key: "lr", value: "0.01" }], [{ key: "layers", value: "3" }]]);
  });

  it("refuses two values of one key in the same logParams call, buffering none of them", async () => {
    const { run } = await openTestRun(server);
    const error = validationError(() =>
      run.logParams([
        { key: "seed", value: 1 },
        { key: "seed", value: 2 },
      ]),
    );
    expect(error.rule).toBe("param-changed");
    expect(run.stats().logged).toBe(0);
  });
});

describe("artifacts", () => {
  it("delegates to client.artifacts without flushing", async () => {
    const { run } = await openTestRun(server);
    const result = { paths: ["model/model.onnx"], bytes: 3 };
    const upload = vi.spyOn(run.client.artifacts, "upload").mockResolvedValue(result);
    const uploadData = vi.spyOn(run.client.artifacts, "uploadData").mockResolvedValue(result);
    run.logMetric("loss", 1);
    await expect(run.logArtifact("model.onnx", { artifactPath: "model" })).resolves.toBe(result);
    await run.logArtifacts("./checkpoints", { artifactPath: "ckpt" });
    await run.logText("hello", "notes/readme.txt");
    await run.logJson({ accuracy: 0.9 }, "eval/summary.json");
    expect(upload.mock.calls).toEqual([
      [RUN_ID, "model.onnx", { artifactPath: "model" }],
      [RUN_ID, "./checkpoints", { artifactPath: "ckpt" }],
    ]);
    expect(uploadData.mock.calls).toEqual([
      [RUN_ID, "hello", "notes/readme.txt", {}],
      [RUN_ID, '{\n  "accuracy": 0.9\n}', "eval/summary.json", {}],
    ]);
    expect(run.stats().queued).toBe(1);
  });

  it("uploads to the artifact URI the run holds from runs/create: logging N artifacts makes no runs/get", async () => {
    const proxied = runJson();
    (proxied.info as Record<string, unknown>).artifact_uri = `mlflow-artifacts:/1/${RUN_ID}/artifacts`;
    record(server, "get", `${API}/experiments/get`, () => ({ experiment: experimentJson("1") }));
    record(server, "post", `${API}/runs/create`, () => ({ run: proxied }));
    const runGets = record(server, "get", `${API}/runs/get`, () => ({ run: proxied }));
    const puts = record(server, "put", `${BASE}/api/2.0/mlflow-artifacts/artifacts/*`, () => new HttpResponse(null, { status: 200 }));
    const dir = mkdtempSync(join(tmpdir(), "mlflow-ts-run-artifacts-"));
    try {
      writeFileSync(join(dir, "model.onnx"), "onnx");
      mkdirSync(join(dir, "ckpt"));
      writeFileSync(join(dir, "ckpt", "a.bin"), "a");
      writeFileSync(join(dir, "ckpt", "b.bin"), "b");
      const run = await startRun({ client: testClient(), experimentId: "1", exitHooks: false, flushIntervalMs: 3_600_000 });
      await run.logArtifact(join(dir, "model.onnx"), { artifactPath: "model" });
      await run.logArtifacts(join(dir, "ckpt"), { artifactPath: "ckpt" });
      await run.logText("hello", "notes/readme.txt");
      await run.logJson({ accuracy: 0.9 }, "eval/summary.json");
      expect(puts.map((put) => put.path).sort()).toEqual(
        ["ckpt/a.bin", "ckpt/b.bin", "eval/summary.json", "model/model.onnx", "notes/readme.txt"].map(
          (file) => `/api/2.0/mlflow-artifacts/artifacts/1/${RUN_ID}/artifacts/${file}`,
        ),
      );
      expect(runGets).toHaveLength(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("refuses logJson of a value without a JSON form", async () => {
    const { run } = await openTestRun(server);
    await expect(run.logJson(undefined, "x.json")).rejects.toMatchObject({ rule: "json-value" });
  });
});

describe("logDict", () => {
  it("uploads YAML (keys sorted, as PyYAML) for .yaml/.yml and JSON otherwise", async () => {
    const { run } = await openTestRun(server);
    const upload = vi.spyOn(run.client.artifacts, "uploadData").mockResolvedValue({ paths: [], bytes: 0, files: 1 } as never);
    await run.logDict({ b: 1, a: { d: [1, 2], c: "x" } }, "config.yaml");
    await run.logDict({ b: 1, a: 2 }, "config.json");
    await run.logDict({ b: 1 }, "config");
    expect(upload.mock.calls.map(([, data, file]) => [file, data])).toEqual([
      ["config.yaml", "a:\n  c: x\n  d:\n    - 1\n    - 2\nb: 1\n"],
      ["config.json", '{\n  "b": 1,\n  "a": 2\n}'],
      ["config", '{\n  "b": 1\n}'],
    ]);
    await expect(run.logDict(undefined, "x.yml")).rejects.toBeInstanceOf(ValidationError);
  });
});

describe("logInput", () => {
  it("sends the dataset with its context as the mlflow.data.context input tag, and refuses one without a digest", async () => {
    const seen = record(server, "post", `${API}/runs/log-inputs`);
    const { run } = await openTestRun(server);
    const dataset = { name: "mnist", digest: "8e1f2a", source_type: "http", source: '{"url": "https://example.com/mnist.npz"}' };
    await run.logInput(dataset, { context: "training", tags: { split: "train" } });
    expect(seen.map((r) => r.body)).toEqual([
      {
        run_id: RUN_ID,
        datasets: [
          {
            dataset,
            tags: [
              { key: "mlflow.data.context", value: "training" },
              { key: "split", value: "train" },
            ],
          },
        ],
      },
    ]);
    await expect(run.logInput({ ...dataset, digest: "" })).rejects.toMatchObject({ key: "dataset", rule: "dataset-identity" });
    await expect(run.logInput(dataset, { tags: { "bad//key": "x" } })).rejects.toBeInstanceOf(ValidationError);
    expect(seen).toHaveLength(1);
  });
});

describe("arguments of flush and end", () => {
  it("refuses a bad status or timeout without ending the run", async () => {
    const { run } = await openTestRun(server);
    await expect(run.end({ status: "RUNNING" as never })).rejects.toMatchObject({ rule: "end-status" });
    await expect(run.flush({ timeoutMs: -1 })).rejects.toBeInstanceOf(ConfigurationError);
    await expect(run.end({ timeoutMs: 1.5 })).rejects.toBeInstanceOf(ConfigurationError);
    expect(run.ended).toBe(false);
  });
});

describe("detach (a process that logs to a run another process ends)", () => {
  it("delivers what is buffered, sets no status, and refuses logging afterwards", async () => {
    const batches = record(server, "post", `${API}/runs/log-batch`);
    const updates = record(server, "post", `${API}/runs/update`);
    const { run } = await openTestRun(server);
    run.logMetric("loss", 1, { step: 1 });
    run.logParam("lr", "0.1");
    await run.detach();
    expect(batchOf(batches[0]!).metrics.map((m) => [m.key, m.step])).toEqual([["loss", 1]]);
    expect(batchOf(batches[0]!).params).toEqual([{ key: "lr", value: "0.1" }]);
    expect(updates).toEqual([]);
    expect(validationError(() => run.logMetric("loss", 2)).rule).toBe("run-ended");
    await run.detach();
    expect(batches).toHaveLength(1);
  });
});
