/**
 * The embedded store's first-use notice: what it says, once per process, and how to silence it.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { resolveConfig } from "../../../../../src/config/resolve.js";
import { ConfigurationError } from "../../../../../src/core/errors.js";
import { announceOnce, noticeLine, resetNoticeForTests } from "../../../../../src/store/sqlite/engine/notice.js";

afterEach(() => resetNoticeForTests());

describe("first-use notice", () => {
  const facts = { path: "/w/mlflow.db", uri: "sqlite:////w/mlflow.db", isDefault: true, artifactRoot: "/w/mlruns", cwd: "/w" };

  it("says where the runs go and how to view them, once per process", () => {
    expect(noticeLine(facts)).toBe(
      "mlflow-ts: logging to sqlite:////w/mlflow.db, artifacts under /w/mlruns (no MLFLOW_TRACKING_URI set). View with: mlflow ui --backend-store-uri sqlite:///mlflow.db",
    );
    expect(noticeLine({ ...facts, cwd: "/elsewhere", isDefault: false })).toMatch(
      /artifacts under \/w\/mlruns\. View with: mlflow ui --backend-store-uri sqlite:\/\/\/\/w\/mlflow\.db$/,
    );
    const write = vi.fn();
    announceOnce(facts, false, write);
    announceOnce(facts, false, write);
    expect(write).toHaveBeenCalledTimes(1);
  });

  it("is silenced by MLFLOW_TS_QUIET_LOCAL_STORE, and a malformed value names the variable", () => {
    const write = vi.fn();
    const quiet = resolveConfig({ trackingUri: "sqlite:///mlflow.db", env: { MLFLOW_TS_QUIET_LOCAL_STORE: "true" } }).embeddedStore.quiet;
    announceOnce(facts, quiet, write);
    expect(write).not.toHaveBeenCalled();
    expect(() => resolveConfig({ trackingUri: "sqlite:///mlflow.db", env: { MLFLOW_TS_QUIET_LOCAL_STORE: "maybe" } })).toThrow(ConfigurationError);
  });
});
