/**
 * The recovery tests' pieces: a tracking server in memory (msw) that stores what `log-batch`
 * carries as MLflow's SQL store does (identical metric rows dropped, params write-once, tags
 * last-write-wins) and counts every point it received, and journals left by a "dead" process
 * (written with the storage layer, then renamed to a pid no process has).
 */
import { rename } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { HttpResponse, http } from "msw";
import type { SetupServerApi } from "msw/node";
import { Journal } from "../../../../src/journal/journal.js";
import { readMeta, writeMeta } from "../../../../src/journal/meta.js";
import { currentOwner, formatJournalName, parseJournalName } from "../../../../src/journal/owner.js";
import { API, BASE, mlflowError, runJson } from "../../helpers/mock-server.js";
import { testOptions } from "../../journal/helpers.js";

/** A run as the fake server holds it. */
export interface FakeRun {
  status: string;
  endTime?: number;
  lifecycle: "active" | "deleted";
  params: Map<string, string>;
  tags: Map<string, string>;
  /** Metric rows, by `key|timestamp|step|value`. */
  rows: Set<string>;
  /** Every metric point received, duplicates included. */
  pointsReceived: number;
  /** The links of every linked point received, as `key@step model_id|dataset_name|dataset_digest`. */
  linkedPoints: string[];
  /** Every tag write received, in order. */
  tagWrites: { key: string; value: string }[];
  logBatches: number;
  /** `artifact_uri` of the run; proxied (`mlflow-artifacts:`) so uploads come to this server. */
  artifactUri: string;
  /** Artifact files uploaded, by path under the run's root. */
  uploads: Map<string, string>;
  /** The same uploads as bytes (for binary artifacts). */
  uploadBytes: Map<string, Buffer>;
  updates: { status: string; end_time: number }[];
}

/** A fake tracking server for `runs/get`, `runs/log-batch` and `runs/update`. */
/** A logged model as the fake server keeps it. */
export interface FakeModel {
  model_id: string;
  source_run_id: string;
  status: string;
}

export interface FakeServer {
  runs: Map<string, FakeRun>;
  /** Logged models by id (`logged-models/search` lists them all, `PATCH logged-models/<id>` finalizes). */
  models: Map<string, FakeModel>;
  addRun(runId: string, init?: Partial<FakeRun>): FakeRun;
  /** Answer the next `n` log-batch requests with this status instead of storing them. */
  failNext(n: number, status?: number): void;
  /** Answer the next `n` runs/update requests with 503. */
  failUpdates(n: number): void;
  /** Called with the run of every log-batch request before it is handled (e.g. to play another writer). */
  beforeLogBatch?: (runId: string) => void;
  /** Awaited before every runs/get is answered (e.g. to hold a recovery at its start). */
  beforeGet?: (runId: string) => Promise<void> | void;
}

/** The identity MLflow's metrics table has as primary key (the run aside). */
export function rowOf(key: string, timestamp: number, step: number, value: number): string {
  return `${key}|${timestamp}|${step}|${Number.isNaN(value) ? "NaN" : value}`;
}

/** Installs the fake server's handlers on `server`. */
export function fakeTracking(server: SetupServerApi): FakeServer {
  const runs = new Map<string, FakeRun>();
  const models = new Map<string, FakeModel>();
  let failures: { left: number; status: number } = { left: 0, status: 503 };
  let updateFailures = 0;
  server.use(
    http.get(`${API}/runs/get`, async ({ request }) => {
      const runId = new URL(request.url).searchParams.get("run_id")!;
      await fake.beforeGet?.(runId);
      const run = runs.get(runId);
      if (run === undefined) return mlflowError(404, "RESOURCE_DOES_NOT_EXIST", `Run '${runId}' not found`);
      const json = runJson({ run_id: runId, tags: [...run.tags].map(([key, value]) => ({ key, value })) }) as {
        info: Record<string, unknown>;
        data: Record<string, unknown>;
      };
      json.info.status = run.status;
      json.info.lifecycle_stage = run.lifecycle;
      json.info.artifact_uri = run.artifactUri;
      json.data.params = [...run.params].map(([key, value]) => ({ key, value }));
      return HttpResponse.json({ run: json });
    }),
    http.post(`${API}/runs/log-batch`, async ({ request }) => {
      const body = (await request.json()) as {
        run_id: string;
        metrics?: { key: string; value: number | string; timestamp: number; step: number; model_id?: string; dataset_name?: string; dataset_digest?: string }[];
        params?: { key: string; value: string }[];
        tags?: { key: string; value: string }[];
      };
      fake.beforeLogBatch?.(body.run_id);
      if (failures.left > 0) {
        failures.left--;
        return mlflowError(failures.status, "TEMPORARILY_UNAVAILABLE", "try later");
      }
      const run = runs.get(body.run_id);
      if (run === undefined) return mlflowError(404, "RESOURCE_DOES_NOT_EXIST", `Run '${body.run_id}' not found`);
      run.logBatches++;
      for (const param of body.params ?? []) {
        const known = run.params.get(param.key);
        if (known !== undefined && known !== param.value)
          return mlflowError(
            400,
            "INVALID_PARAMETER_VALUE",
            `Changing param values is not allowed. Param with key='${param.key}' was already logged with value='${known}' for run ID='${body.run_id}'. Attempted logging new value '${param.value}'.`,
          );
      }
      for (const param of body.params ?? []) run.params.set(param.key, param.value);
      for (const tag of body.tags ?? []) {
        run.tags.set(tag.key, tag.value);
        run.tagWrites.push(tag);
      }
      for (const m of body.metrics ?? []) {
        run.pointsReceived++;
        if (m.model_id !== undefined || m.dataset_name !== undefined || m.dataset_digest !== undefined)
          run.linkedPoints.push(`${m.key}@${m.step} ${m.model_id ?? ""}|${m.dataset_name ?? ""}|${m.dataset_digest ?? ""}`);
        run.rows.add(rowOf(m.key, Number(m.timestamp), Number(m.step), typeof m.value === "string" ? Number.NaN : m.value));
      }
      return HttpResponse.json({});
    }),
    http.put(`${BASE}/api/2.0/mlflow-artifacts/artifacts/*`, async ({ request }) => {
      const path = decodeURIComponent(new URL(request.url).pathname.replace("/api/2.0/mlflow-artifacts/artifacts/", ""));
      const runId = [...runs.keys()].find((id) => path.includes(id));
      const bytes = Buffer.from(await request.arrayBuffer());
      const file = path.slice(path.indexOf("/artifacts/") + "/artifacts/".length);
      runs.get(runId ?? "")?.uploads.set(file, bytes.toString("utf8"));
      runs.get(runId ?? "")?.uploadBytes.set(file, bytes);
      return HttpResponse.json({});
    }),
    http.post(`${API}/logged-models/search`, () =>
      HttpResponse.json({ models: [...models.values()].map((info) => ({ info: { ...info, experiment_id: "1", name: "model" }, data: {} })) }),
    ),
    http.patch(`${API}/logged-models/:id`, async ({ request, params }) => {
      const info = models.get(String(params.id));
      if (info === undefined) return mlflowError(404, "RESOURCE_DOES_NOT_EXIST", `Logged model '${String(params.id)}' not found`);
      info.status = ((await request.json()) as { status: string }).status;
      return HttpResponse.json({ model: { info: { ...info, experiment_id: "1", name: "model" }, data: {} } });
    }),
    http.post(`${API}/runs/update`, async ({ request }) => {
      const body = (await request.json()) as { run_id: string; status: string; end_time: number };
      if (updateFailures > 0) {
        updateFailures--;
        return mlflowError(503, "TEMPORARILY_UNAVAILABLE", "try later");
      }
      const run = runs.get(body.run_id);
      if (run === undefined) return mlflowError(404, "RESOURCE_DOES_NOT_EXIST", `Run '${body.run_id}' not found`);
      run.status = body.status;
      run.endTime = body.end_time;
      run.updates.push({ status: body.status, end_time: body.end_time });
      return HttpResponse.json({ run_info: { ...(runJson({ run_id: body.run_id }) as { info: object }).info, status: body.status, end_time: body.end_time } });
    }),
  );
  const fake: FakeServer = {
    runs,
    models,
    addRun(runId, init = {}) {
      const run: FakeRun = {
        status: "RUNNING",
        lifecycle: "active",
        params: new Map(),
        tags: new Map(),
        rows: new Set(),
        pointsReceived: 0,
        linkedPoints: [],
        tagWrites: [],
        logBatches: 0,
        artifactUri: `mlflow-artifacts:/1/${runId}/artifacts`,
        uploads: new Map(),
        uploadBytes: new Map(),
        updates: [],
        ...init,
      };
      runs.set(runId, run);
      return run;
    },
    failNext(n, status = 503) {
      failures = { left: n, status };
    },
    failUpdates(n) {
      updateFailures = n;
    },
  };
  return fake;
}

/** A pid above Linux's pid_max: no process has it, so a journal named after it has a dead owner. */
const DEAD_PID = 2 ** 22 + 4321;

/**
 * Renames a journal folder to a name whose owner is a pid no process has, as if its owner had been
 * killed, and returns the new path. Works on a journal this process created or claimed.
 */
export async function killOwner(path: string): Promise<string> {
  const parsed = parseJournalName(basename(path))!;
  const name = formatJournalName({ runKey: parsed.runKey, owner: { ...currentOwner(), pid: DEAD_PID }, serial: parsed.serial + 1000 });
  const target = join(dirname(path), name);
  await rename(path, target);
  const meta = (await readMeta(target))!;
  await writeMeta(target, { ...meta, owner: name.slice(name.indexOf(".") + 1) });
  return target;
}

/**
 * A journal of `runId`, written as the logger will write it (appends, then a synced commit), by a
 * process that then died: returns its folder.
 */
export async function deadJournal(dir: string, runId: string, write: (journal: Journal) => unknown, trackingUri = BASE): Promise<string> {
  const journal = await Journal.create({ runId, trackingUri, options: testOptions(dir) });
  await write(journal);
  await journal.commit({ sync: true });
  const kept = journal.path;
  await journal.close(); // keeps the folder: entries are unacknowledged
  return killOwner(kept);
}
