/**
 * Offline mode's configuration: `MLFLOW_TS_OFFLINE` (and the `offline` option) turn a tracking
 * server into its offline store, in the cache folder the journal uses or `MLFLOW_TS_OFFLINE_DIR`;
 * the recorded server URI carries no credential; a malformed value fails naming the key, the rule
 * and the fix.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { resolveConfig } from "../../../src/advanced.js";
import { defaultJournalDir } from "../../../src/config/journal-settings.js";
import { defaultOfflineDir, offlineStoreFolder } from "../../../src/config/offline-settings.js";
import { ConfigurationError, MlflowClient } from "../../../src/index.js";
import { EMPTY_HOME } from "../helpers/mock-server.js";
import { removeTempDirs, tempDir } from "../store/sqlite/helpers.js";

afterEach(removeTempDirs);

const SERVER = "http://mlflow.internal:5000";

function offlineConfig(env: Record<string, string>, options: { offline?: boolean; trackingUri?: string } = {}) {
  return resolveConfig({ ...options, env: { HOME: "/home/ada", MLFLOW_TRACKING_URI: SERVER, ...env } });
}

describe("MLFLOW_TS_OFFLINE", () => {
  it("turns a tracking server into its offline store under the cache root the journal uses", () => {
    const config = offlineConfig({ MLFLOW_TS_OFFLINE: "true" });
    const folder = offlineStoreFolder("/home/ada/.cache/mlflow-ts/offline", SERVER);
    expect(config.tracking).toEqual({
      kind: "sqlite",
      path: join(folder, "mlflow.db"),
      uri: `sqlite:///${join(folder, "mlflow.db")}`,
      isDefault: false,
      artifactRoot: join(folder, "mlruns"),
      offline: { trackingUri: SERVER, folder },
    });
    expect(config.offline).toEqual({ enabled: true, source: "environment", dir: "/home/ada/.cache/mlflow-ts/offline", quiet: false });
    expect(folder).toMatch(/^\/home\/ada\/\.cache\/mlflow-ts\/offline\/mlflow\.internal_5000-[0-9a-f]{12}$/);
    // The journal's folder and the offline folder share one cache root.
    const env = { XDG_CACHE_HOME: "/scratch/cache", HOME: "/home/ada" };
    expect(defaultOfflineDir(env)).toBe("/scratch/cache/mlflow-ts/offline");
    expect(defaultJournalDir(env)).toBe("/scratch/cache/mlflow-ts/journal");
  });

  it("takes the folder from MLFLOW_TS_OFFLINE_DIR and the quiet switch from MLFLOW_TS_QUIET_OFFLINE", () => {
    const config = offlineConfig({ MLFLOW_TS_OFFLINE: "1", MLFLOW_TS_OFFLINE_DIR: "/scratch/offline", MLFLOW_TS_QUIET_OFFLINE: "true" });
    expect(config.offline).toEqual({ enabled: true, source: "environment", dir: "/scratch/offline", quiet: true });
    expect(config.tracking).toMatchObject({ kind: "sqlite", offline: { folder: offlineStoreFolder("/scratch/offline", SERVER) } });
  });

  it("is off by default, and the offline option wins over the variable both ways", () => {
    expect(offlineConfig({}).tracking).toMatchObject({ kind: "rest", baseUrl: SERVER });
    expect(offlineConfig({ MLFLOW_TS_OFFLINE: "true" }, { offline: false }).tracking).toMatchObject({ kind: "rest" });
    expect(offlineConfig({ MLFLOW_TS_OFFLINE: "false" }, { offline: true }).tracking).toMatchObject({ kind: "sqlite", offline: { trackingUri: SERVER } });
    // What decided it, for the messages that name it.
    expect(offlineConfig({}).offline.source).toBe("default");
    expect(offlineConfig({ MLFLOW_TS_OFFLINE: "false" }, { offline: true }).offline.source).toBe("option");
    expect(offlineConfig({ MLFLOW_TS_OFFLINE: "true" }).offline.source).toBe("environment");
  });

  it("leaves an embedded store alone: it is local already", () => {
    const config = offlineConfig({ MLFLOW_TS_OFFLINE: "true", MLFLOW_TRACKING_URI: "sqlite:////data/mlflow.db" });
    expect(config.tracking).toEqual({ kind: "sqlite", path: "/data/mlflow.db", uri: "sqlite:////data/mlflow.db", isDefault: false });
  });

  it("records the server without its userinfo, so credentials never reach the folder name", () => {
    const withCredentials = offlineConfig({ MLFLOW_TS_OFFLINE: "true", MLFLOW_TRACKING_URI: "https://bob:s3cret-pw@mlflow.internal/team/" });
    const without = offlineConfig({ MLFLOW_TS_OFFLINE: "true", MLFLOW_TRACKING_URI: "https://mlflow.internal/team" });
    expect(withCredentials.tracking).toMatchObject({ offline: { trackingUri: "https://mlflow.internal/team" } });
    expect(withCredentials.tracking).toEqual(without.tracking);
    expect(JSON.stringify(withCredentials)).not.toContain("s3cret-pw");
  });

  it("gives two servers two stores and one server always the same", () => {
    const a = offlineStoreFolder("/o", "http://a.internal:5000");
    expect(offlineStoreFolder("/o", "http://a.internal:5000")).toBe(a);
    expect(offlineStoreFolder("/o", "http://a.internal:5001")).not.toBe(a);
    expect(offlineStoreFolder("/o", "http://a.internal:5000/prefix")).not.toBe(a);
  });

  it.each([["maybe"], ["yes"], ["on"]])("refuses MLFLOW_TS_OFFLINE=%s, naming the key, the rule and the fix", (value) => {
    let caught: unknown;
    try {
      offlineConfig({ MLFLOW_TS_OFFLINE: value });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigurationError);
    expect((caught as ConfigurationError).key).toBe("MLFLOW_TS_OFFLINE");
    expect((caught as ConfigurationError).message).toBe(
      `MLFLOW_TS_OFFLINE must be one of true, false, 1, 0; got "${value}". Fix: set MLFLOW_TS_OFFLINE=true or unset it.`,
    );
  });

  it("refuses an offline option that is not a boolean", () => {
    expect(() => resolveConfig({ offline: "yes" as unknown as boolean, env: { HOME: EMPTY_HOME } })).toThrow(/Invalid option "offline" = "yes"/);
  });
});

describe("the offline store's folder", () => {
  it("is created with target.json, naming the server without credentials, when the store is first used", async () => {
    const dir = tempDir();
    const env = { HOME: EMPTY_HOME, MLFLOW_TRACKING_URI: "http://bob:s3cret-pw@mlflow.internal:5000", MLFLOW_TS_OFFLINE: "true", MLFLOW_TS_OFFLINE_DIR: dir };
    const client = new MlflowClient({ env });
    expect(readdirSync(dir)).toEqual([]); // nothing before the first call
    await client.experiments.create({ name: "offline" });
    await client.close();
    const [folder] = readdirSync(dir);
    expect(folder).toMatch(/^mlflow\.internal_5000-[0-9a-f]{12}$/);
    const target = JSON.parse(readFileSync(join(dir, folder!, "target.json"), "utf8")) as Record<string, unknown>;
    expect(target).toMatchObject({ format: 1, trackingUri: "http://mlflow.internal:5000" });
    expect(readFileSync(join(dir, folder!, "target.json"), "utf8")).not.toContain("s3cret-pw");
    expect(existsSync(join(dir, folder!, "mlflow.db"))).toBe(true);
  });
});
