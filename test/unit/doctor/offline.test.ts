/**
 * In offline mode (MLFLOW_TS_OFFLINE) the doctor checks the set-up without writing into the offline
 * store: no probe experiment, no probe artifact, no round-trip run; the checks that need the
 * server say they do not apply offline, and nothing is sent to the server.
 */
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { checkSetup } from "../../../src/index.js";
import { listOfflineStores } from "../../../src/store/offline/offline-store.js";
import { BASE, EMPTY_HOME, useMockServer } from "../helpers/mock-server.js";

// Any request to the server fails the test (msw: onUnhandledRequest "error").
useMockServer();

describe("the doctor in offline mode", () => {
  let offlineDir: string;
  beforeEach(() => {
    offlineDir = mkdtempSync(join(tmpdir(), "mlflow-ts-doctor-offline-"));
  });
  afterEach(() => {
    rmSync(offlineDir, { recursive: true, force: true });
  });

  const env = () => ({
    HOME: EMPTY_HOME,
    MLFLOW_TS_QUIET_LOCAL_STORE: "true",
    MLFLOW_TRACKING_URI: BASE,
    MLFLOW_TS_OFFLINE: "true",
    MLFLOW_TS_OFFLINE_DIR: offlineDir,
  });

  it("writes nothing into the offline store, even with write probes and the round trip asked for", async () => {
    const report = await checkSetup({ write: true, roundTrip: true, experimentName: "offline-probe", client: { env: env() } });
    expect(readdirSync(offlineDir)).toEqual([]);
    expect(await listOfflineStores(offlineDir, "wal")).toEqual([]);
    const byId = Object.fromEntries(report.checks.map((check) => [check.id, check]));
    expect(byId.experiment).toMatchObject({ status: "skip" });
    expect(byId.experiment!.detail).toMatch(/^Offline mode \(MLFLOW_TS_OFFLINE\): runs go to the offline store .* for http:\/\/mlflow\.test:5000/);
    expect(byId.experiment!.detail).toContain("mlflow-ts sync --offline");
    for (const id of ["artifacts.write", "artifacts.multipart", "round-trip"]) expect(byId[id], id).toMatchObject({ status: "skip" });
    expect(report.ok).toBe(true);
  });

  it("leaves an offline store that runs already made as it was: no probe experiment added", async () => {
    // A first run in offline mode creates the store, as a training script would.
    const { MlflowClient } = await import("../../../src/index.js");
    const client = new MlflowClient({ env: env() });
    await client.experiments.create({ name: "trained-offline" });
    await client.close();
    const [store] = await listOfflineStores(offlineDir, "wal");
    expect(store).toBeDefined();
    const report = await checkSetup({ write: true, roundTrip: true, client: { env: env() } });
    const reader = new MlflowClient({ env: env() });
    const names: string[] = [];
    for await (const experiment of reader.experiments.search({})) names.push(experiment.name);
    await reader.close();
    expect(names.sort()).toEqual(["Default", "trained-offline"]);
    expect(report.checks.find((check) => check.id === "experiment")?.status).toBe("skip");
  });
});
