/**
 * A CI job must not pass the setup check while logging to the runner's disk: under `CI` (or with
 * `requireServer`), a missing or empty MLFLOW_TRACKING_URI — or a `sqlite:` one — fails the
 * `config` check, everything after it is skipped, and nothing is contacted. Outside CI the embedded
 * store stays a warning, and `requireServer: false` accepts it under CI.
 */
import { describe, expect, it } from "vitest";
import { type CheckResult, type CheckSetupOptions, checkSetup, type SetupReport } from "../../../src/index.js";
import { BASE, EMPTY_HOME, useMockServer } from "../helpers/mock-server.js";

useMockServer();

/**
 * The `config` check alone: the rest of the report is stopped right after it, so that no check
 * opens the embedded store in the working folder (nothing is listening for any other request:
 * msw fails the test on an unhandled one).
 */
async function configCheck(env: Record<string, string>, options: CheckSetupOptions = {}): Promise<{ config: CheckResult; report: SetupReport }> {
  const stop = new AbortController();
  const report = await checkSetup({
    write: false,
    ...options,
    signal: stop.signal,
    onCheck: (check) => {
      if (check.id === "config") stop.abort();
    },
    client: { env: { HOME: EMPTY_HOME, MLFLOW_TS_QUIET_LOCAL_STORE: "true", ...env } },
  });
  return { config: report.checks[0]!, report };
}

describe("a tracking server is required under CI", () => {
  it.each([
    ["unset", {}],
    ["empty", { MLFLOW_TRACKING_URI: "" }],
    ["blank", { MLFLOW_TRACKING_URI: "  " }],
  ])("fails the config check when CI=true and MLFLOW_TRACKING_URI is %s", async (_what, uri) => {
    const { config, report } = await configCheck({ CI: "true", ...uri });
    expect(config).toMatchObject({ id: "config", status: "fail" });
    expect(config.detail).toMatch(
      /^MLFLOW_TRACKING_URI is not set \(or is empty\), so runs would go to the embedded store sqlite:\/\/\/.*mlflow\.db on this machine's disk/,
    );
    expect(config.hint).toMatch(/^Set MLFLOW_TRACKING_URI=http:\/\/<server>:5000 in the job's environment .*--no-require-server/);
    expect(report.ok).toBe(false);
    expect(report.checks.slice(1).every((check) => check.status === "skip")).toBe(true);
  });

  it.each(["1", "True", "github-actions"])("counts CI=%s as a CI job", async (ci) => {
    expect((await configCheck({ CI: ci })).config.status).toBe("fail");
  });

  it("fails a sqlite: tracking URI when a server is required", async () => {
    const { config } = await configCheck({ MLFLOW_TRACKING_URI: "sqlite:////tmp/mlflow-ts-never-opened.db" }, { requireServer: true });
    expect(config.status).toBe("fail");
    expect(config.detail).toBe(
      "MLFLOW_TRACKING_URI is sqlite:////tmp/mlflow-ts-never-opened.db, a local file, not a tracking server; a tracking server is required here (CI is set, or --require-server / requireServer was given).",
    );
  });

  it("passes a tracking server under CI", async () => {
    const { config } = await configCheck({ CI: "true", MLFLOW_TRACKING_URI: BASE });
    expect(config.status).toBe("pass");
  });

  it.each([
    ["outside CI", {}, {}],
    ["with CI=false", { CI: "false" }, {}],
    ["with CI=0", { CI: "0" }, {}],
    ["under CI with requireServer: false", { CI: "true" }, { requireServer: false }],
  ])("only warns about the embedded store %s", async (_what, env, options) => {
    const { config } = await configCheck(env, options);
    expect(config.status).toBe("warn");
    expect(config.detail).toMatch(/MLFLOW_TRACKING_URI is not set, so runs go to the embedded store/);
  });
});
