/**
 * The package's entry points and the names each one exports at run time. The API reports in
 * etc/api/ record the types; this file records the values, so a value added to or removed from an
 * entry without a decision fails here. It also holds the entries' wiring together: each subpath of
 * package.json "exports" has its source file, its typedoc entry point and its API Extractor config,
 * and what loading an entry pulls in stays what it was (no optional dependency at load time).
 */
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

/** Every entry point (the key of package.json "exports", without "./") and the values it exports, sorted. */
const EXPECTED: Record<string, string[]> = {
  ".": [
    "AbortError",
    "ActiveRun",
    "AlreadyExistsError",
    "AmbiguousResultError",
    "ArtifactCredentialsError",
    "ArtifactDownloadError",
    "ArtifactError",
    "ArtifactNotFoundError",
    "ArtifactPermissionError",
    "ArtifactUploadError",
    "AuthProviderError",
    "BatchDeliveryError",
    "CHECK_IDS",
    "COLUMN_TYPES",
    "ConfigurationError",
    "ConnectionError",
    "ERROR_CODES",
    "IncompleteTransferError",
    "InvalidParameterError",
    "LogDeliveryError",
    "MlflowApiError",
    "MlflowClient",
    "MlflowError",
    "ModelRegistrationError",
    "NotFoundError",
    "Paginated",
    "PermissionDeniedError",
    "RateLimitError",
    "ResponseValidationError",
    "RunEndError",
    "SERVER_FEATURE_NAMES",
    "ServerError",
    "SyncError",
    "TENSOR_DTYPES",
    "TimeoutError",
    "TooManyItemsError",
    "UNSUPPORTED_FEATURE_CODE",
    "UnauthenticatedError",
    "UnknownWorkspaceError",
    "UnsafeArtifactPathError",
    "UnsafeIntegerError",
    "UnsupportedArtifactStoreError",
    "UnsupportedFeatureError",
    "VALIDATION_RULES",
    "VERSION",
    "ValidationError",
    "checkSetup",
    "clearActiveModel",
    "copyModelVersion",
    "downloadArtifacts",
    "getActiveModelId",
    "getActiveRun",
    "isMlflowError",
    "listArtifacts",
    "loadDict",
    "loadModel",
    "loadTable",
    "loadText",
    "logTable",
    "openArtifact",
    "registerModel",
    "setActiveModel",
    "startRun",
    "withActiveModel",
    "withRun",
  ],
  advanced: [
    "COMPRESSED_IMAGE_SIZE",
    "CREATE_REQUEST_ID_TAG",
    "DATASET_CONTEXT_TAG",
    "DEFAULT_AWAIT_READY_MS",
    "DEFAULT_BACKOFF_FACTOR_MS",
    "DEFAULT_BACKOFF_JITTER_MS",
    "DEFAULT_DEADLINE_MS",
    "DEFAULT_DELIVERY_TIMEOUT_MS",
    "DEFAULT_EXIT_TIMEOUT_MS",
    "DEFAULT_EXPERIMENT_ID",
    "DEFAULT_FLUSH_INTERVAL_MS",
    "DEFAULT_KEEP_ALIVE_IDLE_MS",
    "DEFAULT_MAX_BUFFERED_ENTRIES",
    "DEFAULT_MAX_IN_FLIGHT",
    "DEFAULT_MAX_IN_FLIGHT_EMBEDDED",
    "DEFAULT_MAX_ITEMS",
    "DEFAULT_MAX_RETRIES",
    "DEFAULT_MODEL_NAME",
    "DEFAULT_MODEL_PYTHON_VERSION",
    "DEFAULT_ONNX_EXECUTION_PROVIDERS",
    "DEFAULT_PART_SIZE",
    "DEFAULT_SPILL_AFTER_MS",
    "DEFAULT_STREAM_PART_SIZE",
    "DEFAULT_SYSTEM_METRICS_SAMPLES_BEFORE_LOGGING",
    "DEFAULT_SYSTEM_METRICS_SAMPLING_INTERVAL_MS",
    "DEFAULT_TIMEOUT_MS",
    "DEFAULT_TRACKING_URI",
    "DEFAULT_UNREACHABLE_DEADLINE_MS",
    "ENDPOINTS",
    "FILES_DATA_DIR",
    "INPUT_EXAMPLE_FILE",
    "LOGGED_ARTIFACTS_TAG",
    "LOGGED_IMAGES_TAG",
    "MAX_BATCH_BYTES",
    "MAX_ENTITIES_PER_BATCH",
    "MAX_EXPERIMENT_NAME_LENGTH",
    "MAX_EXPERIMENT_TAG_VALUE_LENGTH",
    "MAX_KEY_LENGTH",
    "MAX_METRICS_PER_BATCH",
    "MAX_PARAMS_PER_BATCH",
    "MAX_PARAM_VALUE_LENGTH",
    "MAX_RUN_TAG_VALUE_LENGTH",
    "MAX_TAGS_PER_BATCH",
    "MAX_WEBHOOK_LIST_PAGE_SIZE",
    "MLMODEL_FILE",
    "MODEL_IS_EXTERNAL_TAG",
    "MODEL_VERSIONS_TAG",
    "ONNX_MODEL_FILE",
    "REGISTERED_MODEL_META_FILE",
    "RestStore",
    "SERVER_FEATURES",
    "SERVING_INPUT_EXAMPLE_FILE",
    "TARGET_MLFLOW_VERSION",
    "TARGET_ONNXRUNTIME_VERSION",
    "TARGET_ONNX_VERSION",
    "TFJS_DATA_DIR",
    "TFJS_MODEL_JSON",
    "TFJS_WEIGHTS_FILE",
    "WEBHOOK_LIST_PAGE_SIZE",
    "checkArtifactPath",
    "checkProxiedArtifactPath",
    "choosePartSize",
    "decodeArtifactPath",
    "encodeDouble",
    "isModelsUri",
    "isRunsUri",
    "isSafeArtifactPath",
    "joinArtifactPath",
    "objectKey",
    "parseArtifactUri",
    "parseModelsUri",
    "parseRunsUri",
    "resolveConfig",
    "splitModelsUri",
    "uriRootAndPath",
    "validateKey",
  ],
  doctor: ["CHECK_IDS", "checkSetup", "formatCheck", "formatReport", "formatSummary"],
  sync: [
    "DEFAULT_SYNC_CONCURRENCY",
    "MAX_SYNC_CONCURRENCY",
    "SKIP_REASONS",
    "SYNC_ARTIFACTS_DIGEST_TAG",
    "SYNC_SOURCE_MODEL_ID_TAG",
    "SYNC_SOURCE_RUN_ID_TAG",
    "SYNC_SOURCE_URI_TAG",
    "SYNC_SOURCE_VERSION_TAG",
    "SYNC_STATE",
    "SYNC_STATE_TAG",
    "syncRuns",
  ],
  auth: [
    "DEFAULT_AUTH_TIMEOUT_MS",
    "DEFAULT_COMMAND_REFRESH_INTERVAL_MS",
    "DEFAULT_TOKEN_FILE_RECHECK_MS",
    "MAX_EXPIRY_SKEW_MS",
    "commandAuth",
    "oauth2ClientCredentials",
    "tokenFileAuth",
  ],
  webhooks: ["DEFAULT_WEBHOOK_TOLERANCE_SECONDS", "verifyWebhookSignature"],
  tfjs: ["mlflowCallback"],
};

/** Names exported by more than one entry, on purpose: the setup check is at the root and in mlflow-ts/doctor. */
const SHARED = ["CHECK_IDS", "checkSetup"];

/**
 * Third-party packages an entry must not load when it is imported: the optional ones, and the AWS
 * SDK (loaded at the first S3 call, artifacts/s3/lazy-s3.ts), load on first use.
 */
const NOT_LOADED: Record<string, string[]> = {
  ".": ["better-sqlite3", "sharp", "@aws-sdk/client-s3"],
  advanced: ["better-sqlite3", "sharp", "@aws-sdk/client-s3"],
  doctor: ["better-sqlite3", "sharp", "@aws-sdk/client-s3"],
  sync: ["better-sqlite3", "sharp", "@aws-sdk/client-s3"],
  auth: ["better-sqlite3", "sharp", "@aws-sdk/client-s3"],
  // TF.js loads when the first callback is made, never at import.
  tfjs: ["better-sqlite3", "sharp", "@tensorflow/tfjs-core", "@tensorflow/tfjs-layers", "@tensorflow/tfjs", "@aws-sdk/client-s3"],
};

/** Printed by the child of {@link packagesLoadedBy} between the import and what it runs after. */
const FIRST_USE = "(first use)";

/** Longest the import of one entry (transpiled on the fly) may take in a child process. */
const IMPORT_BOUND_MS = 60_000;

const FIX = "Fix: if the change is intended, update EXPECTED in test/unit/entry-points.test.ts and the README's Public API section; otherwise undo it.";

interface PackageJson {
  exports: Record<string, string | { types?: string; default?: string }>;
}

const manifest = JSON.parse(readFileSync("package.json", "utf8")) as PackageJson;
const typedoc = JSON.parse(readFileSync("typedoc.json", "utf8")) as { entryPoints: string[] };
/** The source file of an entry: `src/index.ts` for the root, `src/<name>.ts` for `mlflow-ts/<name>`. */
const fileOf = (entry: string): string => (entry === "." ? "index" : entry);
const entries = Object.keys(manifest.exports)
  .filter((key) => key !== "./package.json")
  .map((key) => (key === "." ? "." : key.slice(2)));

/**
 * The package names (under node_modules) that `node` resolves while importing `src/<file>.ts`, in
 * order; with `afterImport` (a script body with the entry's exports as `entry`), then
 * {@link FIRST_USE}, then the packages the script loads.
 */
function packagesLoadedBy(file: string, afterImport?: string): Promise<string[]> {
  const hook = `export async function resolve(specifier, context, next) {
    const resolved = await next(specifier, context);
    const match = /\\/node_modules\\/((?:@[^/]+\\/)?[^/]+)\\//.exec(resolved.url);
    if (match) process.stderr.write("loaded " + match[1] + "\\n");
    return resolved;
  }`;
  const register = `import { register } from "node:module"; register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(hook)}`)});`;
  const args = ["--import", `data:text/javascript,${encodeURIComponent(register)}`, "--import", "tsx/esm", "--input-type=module"];
  const script = `const entry = await import(${JSON.stringify(`${process.cwd()}/src/${file}.ts`)});`;
  args.push("-e", afterImport === undefined ? script : `${script} process.stderr.write("loaded ${FIRST_USE}\\n"); ${afterImport}`);
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, args, { stdio: ["ignore", "ignore", "pipe"], timeout: IMPORT_BOUND_MS });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", fail);
    child.on("close", (code) => {
      if (code !== 0) return fail(new Error(`importing src/${file}.ts exited with ${code}: ${stderr.slice(0, 2000)}`));
      const loaded = stderr.split("\n").flatMap((line) => (line.startsWith("loaded ") ? [line.slice("loaded ".length)] : []));
      done([...new Set(loaded)].filter((name) => name !== "tsx" && name !== "esbuild"));
    });
  });
}

describe("entry points", () => {
  it("package.json exports exactly the entries listed here, each with its types, its code and its source", () => {
    expect(entries, FIX).toEqual(Object.keys(EXPECTED));
    for (const entry of entries) {
      const file = fileOf(entry);
      expect(manifest.exports[entry === "." ? "." : `./${entry}`], entry).toEqual({ types: `./dist/${file}.d.ts`, default: `./dist/${file}.js` });
      expect(existsSync(`src/${file}.ts`), `src/${file}.ts`).toBe(true);
    }
    expect(manifest.exports["./package.json"]).toBe("./package.json");
  });

  it("every entry has a typedoc entry point and an API Extractor config writing its report to etc/api/", () => {
    expect(typedoc.entryPoints.sort()).toEqual(entries.map((entry) => `src/${fileOf(entry)}.ts`).sort());
    for (const entry of entries) {
      const config = JSON.parse(readFileSync(`api-extractor/${fileOf(entry)}.json`, "utf8")) as {
        mainEntryPointFilePath: string;
        apiReport: { reportFileName: string };
      };
      expect(config.mainEntryPointFilePath).toBe(`<projectFolder>/dist/${fileOf(entry)}.d.ts`);
      expect(config.apiReport.reportFileName).toBe(entry === "." ? "mlflow-ts" : `mlflow-ts-${entry}`);
    }
  });

  it("the README's Public API table has a row for every entry", () => {
    const readme = readFileSync("README.md", "utf8");
    const section = readme.slice(readme.indexOf("\n## Public API\n"), readme.indexOf("\n## ", readme.indexOf("\n## Public API\n") + 1));
    const rows = [...section.matchAll(/^\| `(mlflow-ts[^`]*)` \|/gm)].map((match) => match[1]);
    expect(rows).toEqual(entries.map((entry) => (entry === "." ? "mlflow-ts" : `mlflow-ts/${entry}`)));
  });

  it.each(Object.keys(EXPECTED))("%s exports exactly the expected values, none undefined, no default", async (entry) => {
    const module = (await import(`../../src/${fileOf(entry)}.ts`)) as Record<string, unknown>;
    expect(Object.keys(module).sort(), FIX).toEqual(EXPECTED[entry]);
    for (const [name, value] of Object.entries(module)) expect(value, name).not.toBeUndefined();
  });

  it("each value has one entry, except the setup check shared by the root and mlflow-ts/doctor", () => {
    const homes = new Map<string, string[]>();
    for (const [entry, names] of Object.entries(EXPECTED)) for (const name of names) homes.set(name, [...(homes.get(name) ?? []), entry]);
    const shared = [...homes].filter(([, where]) => where.length > 1).map(([name]) => name);
    expect(shared.sort()).toEqual(SHARED);
  });

  it(
    "importing an entry loads no optional dependency, and mlflow-ts/webhooks loads no package at all",
    async () => {
      const loaded = Object.fromEntries(await Promise.all(entries.map(async (entry) => [entry, await packagesLoadedBy(fileOf(entry))] as const)));
      for (const [entry, forbidden] of Object.entries(NOT_LOADED))
        expect(
          loaded[entry]!.filter((name) => forbidden.includes(name)),
          entry,
        ).toEqual([]);
      expect(loaded.webhooks).toEqual([]);
      // The probe sees packages: the root entry loads the HTTP client it needs.
      expect(loaded["."]).toContain("axios");
    },
    4 * IMPORT_BOUND_MS,
  );

  it(
    "the root entry loads @aws-sdk/client-s3 at the first S3 call, not at import nor when a client is made",
    async () => {
      const loaded = await packagesLoadedBy(
        "index",
        `const client = new entry.MlflowClient({ trackingUri: "http://127.0.0.1:9", s3: { endpointUrl: "http://127.0.0.1:9" } });
        process.stderr.write("loaded (client made)\\n");
        await client.uris.list("s3://bucket/prefix", { signal: AbortSignal.abort() }).catch(() => undefined);
        await client.close();`,
      );
      const beforeFirstCall = loaded.slice(0, loaded.indexOf("(client made)"));
      expect(beforeFirstCall).toContain(FIRST_USE);
      expect(beforeFirstCall).not.toContain("@aws-sdk/client-s3");
      expect(loaded.slice(loaded.indexOf("(client made)"))).toContain("@aws-sdk/client-s3");
    },
    IMPORT_BOUND_MS,
  );
});
