/**
 * Workspaces on the real stack (`mlflow-workspaces`: MLflow with `--enable-workspaces` on
 * PostgreSQL, artifacts proxied to S3): two workspaces, an experiment of the same name in each, a
 * run logged by the SDK's logger in each; Python's MlflowClient with MLFLOW_WORKSPACE set reads each
 * back, PostgreSQL counts the rows per workspace, and the artifacts land under the workspace's
 * prefix of the bucket, where the server puts Python's. `mlflow-ts sync` copies between two
 * workspaces of the server. An unknown workspace gets a clear error.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/program.js";
import { type MlflowClient, startRun, UnknownWorkspaceError } from "../../src/index.js";
import { runPython } from "./support/python.js";
import { serverUri, stackClient, stackClientEnv, stackEnv, uniqueName } from "./support/stack.js";

interface Readback {
  experiment_id: string | null;
  workspace: string | null;
  runs: {
    run_id: string;
    params: Record<string, string>;
    metrics: Record<string, [number, number][]>;
    artifacts: string[];
    artifact_text: string | null;
    artifact_uri: string;
  }[];
  pg: Record<string, number>;
  pg_runs: Record<string, number>;
  s3_keys: string[];
}

const suffix = uniqueName("ws").slice(3, 11);
const WORKSPACES = [`team-a-${suffix}`, `team-b-${suffix}`] as const;
/** The target of the sync between workspaces. */
const SYNC_TARGET = `team-c-${suffix}`;
const EXPERIMENT = uniqueName("workspaces");
let admin: MlflowClient;
let scratch: string;

beforeAll(async () => {
  admin = stackClient("workspaces");
  scratch = await mkdtemp(join(tmpdir(), "mlflow-ts-workspaces-"));
  for (const name of [...WORKSPACES, SYNC_TARGET]) await admin.workspaces.create({ name, description: `integration ${name}` });
});

afterAll(async () => {
  for (const name of [...WORKSPACES, SYNC_TARGET]) await admin.workspaces.delete(name, { mode: "CASCADE" }).catch(() => undefined);
  await admin.close();
  await rm(scratch, { recursive: true, force: true });
});

describe("workspaces on a server started with --enable-workspaces", () => {
  it("lists, gets and updates the workspaces it created", async () => {
    const names = (await admin.workspaces.list()).map((ws) => ws.name);
    expect(names).toEqual(expect.arrayContaining(["default", ...WORKSPACES]));
    const updated = await admin.workspaces.update(WORKSPACES[0], { description: "updated" });
    expect(updated).toMatchObject({ name: WORKSPACES[0], description: "updated" });
    expect(await admin.workspaces.get(WORKSPACES[0])).toMatchObject({ name: WORKSPACES[0], description: "updated" });
  });

  it("keeps an experiment of the same name apart per workspace: logged by the SDK, read back by Python, counted in PostgreSQL, artifacts under the workspace", async () => {
    const logged: Record<string, { runId: string; experimentId: string }> = {};
    for (const [index, workspace] of WORKSPACES.entries()) {
      const client = stackClient("workspaces", { env: { ...stackClientEnv(serverUri("workspaces")), MLFLOW_WORKSPACE: workspace } });
      try {
        const run = await startRun({ client, experimentName: EXPERIMENT, exitHooks: false, params: { workspace, lr: 0.1 * (index + 1) } });
        for (let step = 0; step < 5; step++) run.logMetric("loss", 1 / (step + 1) + index, { step });
        const file = join(scratch, `${workspace}.txt`);
        await writeFile(file, `hello from ${workspace}`);
        await run.logArtifact(file, { artifactPath: "notes" });
        await run.end();
        logged[workspace] = { runId: run.runId, experimentId: run.experimentId };
      } finally {
        await client.close();
      }
    }

    for (const [index, workspace] of WORKSPACES.entries()) {
      const back = await runPython<Readback>(
        "test/integration/workspace-readback.py",
        { experiment_name: EXPERIMENT, pg_uri: stackEnv("STACK_PG_WORKSPACES_URI"), artifact_path: "notes", bucket: stackEnv("STACK_BUCKET_WORKSPACES") },
        { MLFLOW_TRACKING_URI: serverUri("workspaces"), MLFLOW_WORKSPACE: workspace },
      );
      expect(back.experiment_id).toBe(logged[workspace]!.experimentId);
      expect(back.workspace).toBe(workspace);
      expect(back.runs).toHaveLength(1);
      const [run] = back.runs;
      expect(run!.run_id).toBe(logged[workspace]!.runId);
      expect(run!.params).toEqual({ workspace, lr: String(0.1 * (index + 1)) });
      expect(run!.metrics.loss).toEqual([0, 1, 2, 3, 4].map((step) => [step, 1 / (step + 1) + index]));
      expect(run!.artifacts).toEqual([`notes/${workspace}.txt`]);
      expect(run!.artifact_text).toBe(`hello from ${workspace}`);
      expect(run!.artifact_uri).toBe(`mlflow-artifacts:/workspaces/${workspace}/${back.experiment_id}/${run!.run_id}/artifacts`);
      expect(back.s3_keys).toEqual([`workspaces/${workspace}/${back.experiment_id}/${run!.run_id}/artifacts/notes/${workspace}.txt`]);
      // One experiment of that name in each workspace, none in default; one run in each.
      expect(back.pg).toEqual(Object.fromEntries(WORKSPACES.map((name) => [name, 1])));
      expect(back.pg_runs).toEqual(Object.fromEntries(WORKSPACES.map((name) => [name, 1])));
    }
  });

  it("syncs an experiment from one workspace of the server to another with mlflow-ts sync --from-workspace --to-workspace", async () => {
    const uri = serverUri("workspaces");
    const stdout: string[] = [];
    const stderr: string[] = [];
    const io = { stdout: { write: (t: string) => stdout.push(t) }, stderr: { write: (t: string) => stderr.push(t) }, env: stackClientEnv(uri) };
    const argv = ["sync", "--from", uri, "--from-workspace", WORKSPACES[0], "--to", uri, "--to-workspace", SYNC_TARGET, "-e", EXPERIMENT, "--json"];
    const code = await runCli(argv, io);
    expect(stderr.join("")).not.toMatch(/error/i);
    expect(code).toBe(0);
    const back = await runPython<Readback>(
      "test/integration/workspace-readback.py",
      { experiment_name: EXPERIMENT, pg_uri: stackEnv("STACK_PG_WORKSPACES_URI"), artifact_path: "notes", bucket: stackEnv("STACK_BUCKET_WORKSPACES") },
      { MLFLOW_TRACKING_URI: uri, MLFLOW_WORKSPACE: SYNC_TARGET },
    );
    expect(back.workspace).toBe(SYNC_TARGET);
    expect(back.runs).toHaveLength(1);
    expect(back.runs[0]!.params).toEqual({ workspace: WORKSPACES[0], lr: "0.1" });
    expect(back.runs[0]!.metrics.loss).toEqual([0, 1, 2, 3, 4].map((step) => [step, 1 / (step + 1)]));
    expect(back.runs[0]!.artifact_text).toBe(`hello from ${WORKSPACES[0]}`);
    expect(back.pg).toEqual(Object.fromEntries([...WORKSPACES, SYNC_TARGET].map((name) => [name, 1])));
    expect(back.pg_runs).toEqual(Object.fromEntries([...WORKSPACES, SYNC_TARGET].map((name) => [name, 1])));
  });

  it("answers a client of a workspace the server does not have with an error that names it and the fix, at once", async () => {
    const client = stackClient("workspaces", { env: { ...stackClientEnv(serverUri("workspaces")), MLFLOW_WORKSPACE: `nope-${suffix}` } });
    try {
      const error = await client.experiments.getByName(EXPERIMENT).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UnknownWorkspaceError);
      expect((error as Error).message).toContain(`Workspace 'nope-${suffix}' not found`);
      expect((error as Error).message).toContain(`Fix: create the workspace (mlflow-ts workspaces create nope-${suffix})`);
    } finally {
      await client.close();
    }
  });

  it("answers a workspace on a server without workspaces with FEATURE_DISABLED and a fix, without retrying", async () => {
    const client = stackClient("direct", { workspace: WORKSPACES[0], maxRetries: 5 });
    try {
      const error = await client.experiments.getByName(EXPERIMENT).catch((e: unknown) => e);
      expect(error).toMatchObject({ errorCode: "FEATURE_DISABLED", retryable: false });
      expect((error as Error).message).toContain("Fix: this server runs without workspaces: unset MLFLOW_WORKSPACE");
    } finally {
      await client.close();
    }
  });
});
