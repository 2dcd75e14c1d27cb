/**
 * `logModel` through the run's journal (issue #14 item 1, docs/journal.md "Models"): the model's
 * folder is written inside the journal's folder and journaled (its files by path, size, mtime and
 * SHA-256, and the logged model or the run-artifacts record it goes to) durably before the upload's
 * first request, and acknowledged once the model is finished; a process killed in between leaves it
 * to recovery, which finishes it with `logModel`'s own finishing step (upload, then READY, or on
 * MLflow 2 the run's model history), leaves a model the server has finished alone, and fails one
 * whose files changed (UPLOAD_FAILED, with the reason). Real files and timers, the fake tracking
 * server of the recovery tests plus the logged-model endpoints (proxied artifacts: PUTs recorded).
 */
import { createHash } from "node:crypto";
import { existsSync, readdirSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { HttpResponse, http } from "msw";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { describeArtifact } from "../../../src/journal/artifact.js";
import type { ModelRecord } from "../../../src/journal/entries.js";
import { MODEL_FOLDER } from "../../../src/journal/format.js";
import { Journal } from "../../../src/journal/journal.js";
import { recoveryLine } from "../../../src/logging/recovery/format.js";
import { recoverJournals } from "../../../src/logging/recovery/recover.js";
import { API, BASE, loggedModelJson, testClient, useMockServer } from "../helpers/mock-server.js";
import { readFolder, testOptions } from "../journal/helpers.js";
import { resumeJournaledRun } from "./helpers.js";
import { type FakeServer, fakeTracking, killOwner } from "./recovery/helpers.js";

const server = useMockServer();
const RUN = "0123456789abcdef0123456789abcdef";
const MODEL = "m-0123456789abcdef0123456789abcdef";
const ARTIFACTS = `${BASE}/api/2.0/mlflow-artifacts/artifacts`;
const MODEL_ROOT = `1/models/${MODEL}/artifacts`;

let dir: string;
let modelDir: string;
let fake: FakeServer;
/** Every artifact PUT: path under `mlflow-artifacts:/` → bytes. */
let puts: Map<string, Buffer>;
/** Status of the one logged model the fake server has. */
let modelStatus: string | undefined;
let logModelBodies: { run_id: string; model_json: string }[];
/** Called at every artifact PUT before it is answered. */
let onPut: (() => void) | undefined;

function modelJson(): Record<string, unknown> {
  const json = loggedModelJson(MODEL) as { info: Record<string, unknown> };
  json.info.artifact_uri = `mlflow-artifacts:/${MODEL_ROOT}`;
  json.info.status = modelStatus;
  json.info.source_run_id = RUN;
  return json;
}

/** The fake tracking server, a logged model's endpoints and MLflow 2's runs/log-model. */
function serve(): void {
  fake = fakeTracking(server);
  fake.addRun(RUN);
  server.use(
    http.post(`${API}/logged-models`, () => {
      modelStatus = "LOGGED_MODEL_PENDING";
      return HttpResponse.json({ model: modelJson() });
    }),
    http.get(`${API}/logged-models/:id`, () =>
      modelStatus === undefined
        ? HttpResponse.json({ error_code: "RESOURCE_DOES_NOT_EXIST", message: "no model" }, { status: 404 })
        : HttpResponse.json({ model: modelJson() }),
    ),
    http.patch(`${API}/logged-models/:id`, async ({ request }) => {
      modelStatus = ((await request.json()) as { status: string }).status;
      return HttpResponse.json({ model: modelJson() });
    }),
    http.post(`${API}/logged-models/search`, () => HttpResponse.json({ models: modelStatus === undefined ? [] : [modelJson()] })),
    http.post(`${API}/runs/outputs`, () => HttpResponse.json({})),
    http.post(`${API}/runs/log-model`, async ({ request }) => {
      const body = (await request.json()) as { run_id: string; model_json: string };
      logModelBodies.push(body);
      const history = JSON.parse(fake.runs.get(body.run_id)?.tags.get("mlflow.log-model.history") ?? "[]") as unknown[];
      fake.runs.get(body.run_id)?.tags.set("mlflow.log-model.history", JSON.stringify([...history, JSON.parse(body.model_json)]));
      return HttpResponse.json({});
    }),
    http.put(`${ARTIFACTS}/*`, async ({ request }) => {
      onPut?.();
      puts.set(decodeURIComponent(new URL(request.url).pathname.replace("/api/2.0/mlflow-artifacts/artifacts/", "")), Buffer.from(await request.arrayBuffer()));
      return HttpResponse.json({});
    }),
  );
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "mlflow-ts-model-journal-"));
  modelDir = await mkdtemp(join(tmpdir(), "mlflow-ts-model-src-"));
  await writeFile(join(modelDir, "weights.bin"), Buffer.from([1, 2, 3, 4, 5, 6, 7, 8]));
  await writeFile(join(modelDir, "vocab.txt"), "a\nb\nc\n");
  puts = new Map();
  modelStatus = undefined;
  logModelBodies = [];
  onPut = undefined;
  serve();
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
  await rm(modelDir, { recursive: true, force: true });
});

function sha256(bytes: Buffer): string {
  return createHash("sha256").update(bytes).digest("hex");
}

async function modelRecords(path: string): Promise<ModelRecord[]> {
  const { records, damage } = await readFolder(path);
  expect(damage).toEqual([]);
  return records.flatMap((record) => (record.kind === "model" ? [record] : []));
}

/**
 * A journal left by a process killed during `logModel`: the model's folder (two files) in the
 * journal's `models/`, its entry journaled with `target`; returns the journal's folder (owner dead).
 */
async function killedDuringLogModel(target: ModelRecord["model"]["target"]): Promise<{ path: string; folder: string }> {
  const journal = await Journal.create({ runId: RUN, trackingUri: BASE, options: testOptions(dir) });
  const folder = (await journal.modelFolder())!;
  await writeFile(join(folder, "MLmodel"), "artifact_path: model\nflavors: {}\n");
  await writeFile(join(folder, "model.bin"), Buffer.from([9, 8, 7]));
  const files = [await describeArtifact(join(folder, "MLmodel"), ""), await describeArtifact(join(folder, "model.bin"), "")].map((file) => ({
    ...file,
    localPath: file.localPath.slice(folder.length + 1),
  }));
  const added = journal.appendModel({ target, folder: folder.slice(journal.path.length + 1), files }, 40);
  expect(added.appended).toBe(true);
  await journal.commit({ sync: true });
  const kept = journal.path;
  await journal.close();
  const path = await killOwner(kept);
  return { path, folder: join(path, MODEL_FOLDER, folder.slice(folder.lastIndexOf("/") + 1)) };
}

describe("logModel with a journal", () => {
  it("writes the model's folder in the journal and journals it durably before the upload's first request, then acknowledges it", async () => {
    const run = await resumeJournaledRun(dir, {}, { maxRetries: 0 });
    const path = run.journalPath!;
    const atFirstPut: { models: string[]; durable: number; journaled: number }[] = [];
    onPut = () => {
      if (atFirstPut.length === 0)
        atFirstPut.push({ models: readdirSync(join(path, MODEL_FOLDER)), durable: run.stats().durable, journaled: run.stats().journaled });
    };

    const info = await run.logModel({ flavor: "files", model: modelDir, name: "clf" });

    expect(info.modelId).toBe(MODEL);
    expect(modelStatus).toBe("LOGGED_MODEL_READY");
    expect(atFirstPut).toHaveLength(1);
    expect(atFirstPut[0]!.models).toHaveLength(1); // the folder being uploaded is the journal's
    expect(atFirstPut[0]!.durable).toBe(atFirstPut[0]!.journaled);
    const [record] = await modelRecords(path);
    expect(record!.model.target).toEqual({ kind: "logged-model", modelId: MODEL });
    expect(record!.model.folder).toBe(`${MODEL_FOLDER}/${atFirstPut[0]!.models[0]}`);
    // Every file uploaded is journaled, under the path it has in the model's folder and in the upload.
    const uploaded = [...puts.keys()].map((key) => key.slice(MODEL_ROOT.length + 1)).sort();
    expect(record!.model.files.map((file) => file.localPath).sort()).toEqual(uploaded);
    for (const file of record!.model.files)
      expect(file.localPath).toBe(file.artifactPath === "" ? basename(file.localPath) : `${file.artifactPath}/${basename(file.localPath)}`);
    expect(uploaded).toEqual(expect.arrayContaining(["MLmodel", "files/weights.bin", "files/vocab.txt"]));
    const weights = record!.model.files.find((file) => file.localPath === "files/weights.bin")!;
    expect(weights).toMatchObject({ sizeBytes: 8, sha256: sha256(Buffer.from([1, 2, 3, 4, 5, 6, 7, 8])) });
    expect([...puts.keys()].every((key) => key.startsWith(`${MODEL_ROOT}/`))).toBe(true);
    expect(readdirSync(join(path, MODEL_FOLDER))).toEqual([]); // the folder goes once uploaded
    expect(run.stats().pending).toBe(0);

    await run.end();
    expect(existsSync(path)).toBe(false);
  });

  it("leaves the model to recovery when the process is killed during the upload: recovery uploads the same files and finalizes it READY", async () => {
    const run = await resumeJournaledRun(dir, {}, { maxRetries: 0 });
    const path = run.journalPath!;
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    // The upload never gets an answer: the process is "killed" while it waits.
    server.use(http.put(`${ARTIFACTS}/*`, () => held.then(() => HttpResponse.json({}))));
    void run.logModel({ flavor: "files", model: modelDir, name: "clf" }).catch(() => undefined);
    await expect.poll(async () => (await modelRecords(path)).length, { timeout: 5000 }).toBe(1);
    const journaledFiles = (await modelRecords(path))[0]!.model.files.length;
    expect(modelStatus).toBe("LOGGED_MODEL_PENDING");

    // The "kill": the journal's folder is renamed to a dead owner's, as a killed process leaves it; the next process recovers it.
    await killOwner(path);
    server.resetHandlers();
    serve();
    modelStatus = "LOGGED_MODEL_PENDING";
    const { journals } = await recoverJournals({ client: testClient(), dir });

    const report = journals.find((j) => j.runId === RUN)!;
    expect(report).toMatchObject({ outcome: "recovered", models: [{ model: MODEL, target: "logged-model", outcome: "finished" }], failedModels: [] });
    expect(modelStatus).toBe("LOGGED_MODEL_READY");
    expect(puts.size).toBe(journaledFiles);
    expect(puts.get(`${MODEL_ROOT}/files/weights.bin`)).toEqual(Buffer.from([1, 2, 3, 4, 5, 6, 7, 8]));
    expect(fake.runs.get(RUN)!.status).toBe("KILLED");
    expect(recoveryLine(report)).toContain(`logged model ${MODEL} left by a killed logModel was uploaded and finished`);
    release();
  });
});

describe("recovery of a journaled model", () => {
  it("uploads every file of a PENDING logged model to the model's location, finalizes it READY, and removes the journal", async () => {
    modelStatus = "LOGGED_MODEL_PENDING";
    const { path } = await killedDuringLogModel({ kind: "logged-model", modelId: MODEL });

    const { journals } = await recoverJournals({ client: testClient(), dir });

    expect(journals[0]).toMatchObject({ outcome: "recovered", models: [{ model: MODEL, outcome: "finished" }], finalStatus: { set: true, status: "KILLED" } });
    expect([...puts.keys()].sort()).toEqual([`${MODEL_ROOT}/MLmodel`, `${MODEL_ROOT}/model.bin`]);
    expect(puts.get(`${MODEL_ROOT}/model.bin`)).toEqual(Buffer.from([9, 8, 7]));
    expect(modelStatus).toBe("LOGGED_MODEL_READY");
    expect(existsSync(path)).toBe(false);
  });

  it("leaves a model the server has READY alone: nothing uploaded, nothing finalized", async () => {
    modelStatus = "LOGGED_MODEL_READY";
    await killedDuringLogModel({ kind: "logged-model", modelId: MODEL });

    const { journals } = await recoverJournals({ client: testClient(), dir });

    expect(journals[0]).toMatchObject({ outcome: "recovered", models: [{ model: MODEL, outcome: "already-final" }], failedModels: [] });
    expect(puts.size).toBe(0);
    expect(modelStatus).toBe("LOGGED_MODEL_READY");
  });

  it("marks the model UPLOAD_FAILED, naming the file, when a file changed since it was journaled, and uploads nothing", async () => {
    modelStatus = "LOGGED_MODEL_PENDING";
    const { folder } = await killedDuringLogModel({ kind: "logged-model", modelId: MODEL });
    await writeFile(join(folder, "model.bin"), Buffer.from([0, 0, 0, 0]));

    const { journals } = await recoverJournals({ client: testClient(), dir });

    const report = journals[0]!;
    expect(report).toMatchObject({ outcome: "recovered", models: [{ model: MODEL, outcome: "failed" }] });
    expect(report.models[0]!.reason).toMatch(/its file model\.bin is changed since logModel journaled it; it is now UPLOAD_FAILED\. Fix: log the model again/);
    expect(puts.size).toBe(0);
    expect(modelStatus).toBe("LOGGED_MODEL_UPLOAD_FAILED");
    expect(recoveryLine(report)).toContain(`logged model ${MODEL} left by a killed logModel was not finished: its file model.bin is changed`);
  });

  it("reports the model failed and removes the journal when marking it UPLOAD_FAILED is refused too (the model deleted meanwhile), instead of stopping every later recovery there", async () => {
    modelStatus = "LOGGED_MODEL_PENDING";
    const { folder } = await killedDuringLogModel({ kind: "logged-model", modelId: MODEL });
    await writeFile(join(folder, "model.bin"), Buffer.from([0, 0, 0, 0]));
    // Deleted by someone else between recovery's look at it and its finalize.
    server.use(
      http.patch(`${API}/logged-models/:id`, () => {
        modelStatus = undefined;
        return HttpResponse.json({ error_code: "RESOURCE_DOES_NOT_EXIST", message: "no model" }, { status: 404 });
      }),
    );

    const { journals } = await recoverJournals({ client: testClient(), dir });

    const report = journals[0]!;
    expect(report).toMatchObject({ outcome: "recovered", models: [{ model: MODEL, outcome: "failed" }] });
    expect(report.models[0]!.reason).toMatch(/marking it UPLOAD_FAILED was refused too: .*no model.*Fix: log the model again/);
    expect(existsSync(report.path)).toBe(false);
  });

  it("keeps the journal when the upload fails transiently, and the next recovery finishes the model", async () => {
    modelStatus = "LOGGED_MODEL_PENDING";
    await killedDuringLogModel({ kind: "logged-model", modelId: MODEL });
    server.use(http.put(`${ARTIFACTS}/*`, () => HttpResponse.json({ error_code: "TEMPORARILY_UNAVAILABLE", message: "try later" }, { status: 503 })));

    const first = await recoverJournals({ client: testClient({ maxRetries: 0 }), dir });
    expect(first.journals[0]).toMatchObject({ outcome: "incomplete", models: [] });
    expect(modelStatus).toBe("LOGGED_MODEL_PENDING");
    expect(readdirSync(dir)).toHaveLength(1); // kept (under its claimer's name)

    server.resetHandlers();
    serve();
    modelStatus = "LOGGED_MODEL_PENDING";
    await killOwner(join(dir, readdirSync(dir)[0]!)); // the recovering process died too
    const second = await recoverJournals({ client: testClient(), dir });
    expect(second.journals[0]).toMatchObject({ outcome: "recovered", models: [{ model: MODEL, outcome: "finished" }] });
    expect(modelStatus).toBe("LOGGED_MODEL_READY");
  });

  it("on MLflow 2, uploads the model into the run's artifacts and records it in the run's model history once", async () => {
    const history = { artifact_path: "clf", flavors: { files: {} }, model_uuid: "0f0f", run_id: RUN, utc_time_created: "2026-12-07 05:00:00.000000" };
    await killedDuringLogModel({ kind: "run-artifacts", runId: RUN, name: "clf", history });

    const { journals } = await recoverJournals({ client: testClient(), dir });

    expect(journals[0]).toMatchObject({ outcome: "recovered", models: [{ model: "clf", target: "run-artifacts", outcome: "finished" }] });
    expect([...puts.keys()].sort()).toEqual([`1/${RUN}/artifacts/clf/MLmodel`, `1/${RUN}/artifacts/clf/model.bin`]);
    expect(logModelBodies).toHaveLength(1);
    expect(JSON.parse(logModelBodies[0]!.model_json)).toEqual(history);
  });

  it("on MLflow 2, leaves a model already in the run's model history alone", async () => {
    const history = { artifact_path: "clf", flavors: { files: {} }, model_uuid: "0f0f", run_id: RUN, utc_time_created: "2026-12-07 05:00:00.000000" };
    fake.runs.get(RUN)!.tags.set("mlflow.log-model.history", JSON.stringify([history]));
    await killedDuringLogModel({ kind: "run-artifacts", runId: RUN, name: "clf", history });

    const { journals } = await recoverJournals({ client: testClient(), dir });

    expect(journals[0]).toMatchObject({ outcome: "recovered", models: [{ model: "clf", outcome: "already-final" }] });
    expect(puts.size).toBe(0);
    expect(logModelBodies).toHaveLength(0);
  });
});
