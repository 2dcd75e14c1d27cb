/**
 * What a new user's strict TypeScript project (`strict`, `exactOptionalPropertyTypes`,
 * `skipLibCheck: false`) must be able to write against the published types. It is compiled, never
 * run: by `npx tsc -p test/types/tsconfig.json` after the build (npm test), and against the packed
 * tarball in a fresh project by test/integration/new-user.test.ts. A line that stops compiling is a
 * regression; a `@ts-expect-error` line that starts compiling is one too.
 */

import * as root from "mlflow-ts";
import {
  type ActiveRun,
  type AllOptions,
  type ArtifactOptions,
  type AuthOptions,
  type CheckSetupOptions,
  type ClientOptions,
  checkSetup,
  type DownloadOptions,
  type EndOptions,
  type ErrorCode,
  type Experiment,
  type FlushOptions,
  type LoadTableOptions,
  type LogArtifactOptions,
  type LoggerOptions,
  type loadTable,
  type logTable,
  type Metric,
  type MetricOptions,
  MlflowApiError,
  MlflowClient,
  type ModelVersion,
  type Page,
  type Paginated,
  type RequestOptions,
  type Run,
  type S3Options,
  type StartRunOptions,
  startRun,
  type UploadOptions,
  ValidationError,
  type ValidationRule,
  type withRun,
} from "mlflow-ts";
import { DEFAULT_TIMEOUT_MS, ENDPOINTS, type EndpointName, parseRunsUri, type RestStore, type resolveConfig, type TrackingStore } from "mlflow-ts/advanced";
import {
  type CommandAuthOptions,
  commandAuth,
  type OAuth2ClientCredentialsOptions,
  oauth2ClientCredentials,
  type TokenFileAuthOptions,
  tokenFileAuth,
} from "mlflow-ts/auth";
import { checkSetup as doctorCheckSetup, type FormatOptions, formatReport } from "mlflow-ts/doctor";
import { SYNC_SOURCE_RUN_ID_TAG, type SyncOptions, type SyncReport, syncRuns } from "mlflow-ts/sync";
import { type VerifyWebhookOptions, verifyWebhookSignature } from "mlflow-ts/webhooks";

// ---------------------------------------------------------------------------------------------
// Options accept `undefined` for every optional property (exactOptionalPropertyTypes), so that
// `startRun({ runName: process.env.RUN_NAME })` compiles.

/** Keys of `T` that are optional (index signatures are not). */
type OptionalKeys<T> = { [K in keyof T]-?: string extends K ? never : number extends K ? never : {} extends Pick<T, K> ? K : never }[keyof T];
/** Values that are not option bags: their own optional properties are the platform's. */
type Opaque = Error | Uint8Array | Uint8ClampedArray | NodeJS.ReadableStream | AbortSignal | Date | MlflowClient;
/** `T` with `undefined` added to each optional property. */
type WithUndefined<T> = { [K in keyof T]: K extends OptionalKeys<T> ? T[K] | undefined : T[K] };
/** The members of `T` (a union) with an optional property that refuses `undefined`; `never` when none. */
type Refusing<T> = T extends ((...args: never[]) => unknown) | Opaque
  ? never
  : T extends readonly (infer E)[]
    ? Refusing<E>
    : T extends object
      ? WithUndefined<T> extends T
        ? never
        : T
      : never;
/** `T`, and the object types one level down (property types, array elements). */
type AndNested<T> = T | (T extends Opaque ? never : T extends readonly (infer E)[] ? E : T extends object ? NonNullable<T[keyof T]> : never);
/** Every parameter type of a function. */
type ParamsOf<F> = F extends (...args: infer A) => unknown ? NonNullable<A[number]> : never;
/** Every parameter type of every method of an object. */
type MethodParams<R> = { [K in keyof R]: ParamsOf<R[K]> }[keyof R];
/** Compiles only when `T` is `never`: the error names the offending type. */
type AssertNone<T extends never> = T;

type Client = MlflowClient;
export type OptionsAcceptUndefined = [
  AssertNone<Refusing<AndNested<ClientOptions>>>,
  AssertNone<Refusing<AndNested<StartRunOptions>>>,
  AssertNone<Refusing<AndNested<LoggerOptions | S3Options | ArtifactOptions | AuthOptions | RequestOptions | AllOptions>>>,
  AssertNone<Refusing<AndNested<CheckSetupOptions | SyncOptions | UploadOptions | DownloadOptions | LogArtifactOptions>>>,
  AssertNone<Refusing<AndNested<MetricOptions | FlushOptions | EndOptions | FormatOptions | LoadTableOptions | VerifyWebhookOptions>>>,
  AssertNone<Refusing<AndNested<TokenFileAuthOptions | CommandAuthOptions | OAuth2ClientCredentialsOptions>>>,
  AssertNone<Refusing<AndNested<MethodParams<Client["experiments"]>>>>,
  AssertNone<Refusing<AndNested<MethodParams<Client["runs"]>>>>,
  AssertNone<Refusing<AndNested<MethodParams<Client["metrics"]>>>>,
  AssertNone<Refusing<AndNested<MethodParams<Client["artifacts"]>>>>,
  AssertNone<Refusing<AndNested<MethodParams<Client["registeredModels"]>>>>,
  AssertNone<Refusing<AndNested<MethodParams<Client["modelVersions"]>>>>,
  AssertNone<Refusing<AndNested<MethodParams<Client["loggedModels"]>>>>,
  AssertNone<Refusing<AndNested<MethodParams<Client["webhooks"]>>>>,
  AssertNone<Refusing<AndNested<MethodParams<Client["models"]>>>>,
  AssertNone<Refusing<AndNested<MethodParams<Client["uris"]>>>>,
  AssertNone<Refusing<AndNested<MethodParams<ActiveRun>>>>,
  AssertNone<
    Refusing<
      AndNested<
        | ParamsOf<typeof startRun>
        | ParamsOf<typeof withRun>
        | ParamsOf<typeof checkSetup>
        | ParamsOf<typeof syncRuns>
        | ParamsOf<typeof loadTable>
        | ParamsOf<typeof logTable>
        | ParamsOf<typeof verifyWebhookSignature>
        | ParamsOf<typeof formatReport>
        | ParamsOf<typeof resolveConfig>
      >
    >
  >,
];

/** What a CI job writes: settings straight from the environment, set or not. */
export async function fromTheEnvironment(): Promise<void> {
  const client = new MlflowClient({ trackingUri: process.env.MLFLOW_TRACKING_URI, timeoutMs: undefined });
  const run = await startRun({ client, runName: process.env.RUN_NAME, experimentName: process.env.EXPERIMENT, description: undefined });
  run.logMetric("loss", 0.5, { step: undefined, timestamp: undefined });
  await run.end({ status: undefined });
  await checkSetup({ experimentName: process.env.EXPERIMENT, timeoutMs: undefined });
}

// ---------------------------------------------------------------------------------------------
// Awaiting a paged call gives every item, typed as an array; a page only comes from firstPage().

export async function pagedCalls(client: MlflowClient, runId: string): Promise<void> {
  const history: Metric[] = await client.metrics.getHistory(runId, "loss", { pageSize: 500 });
  const experiments: Experiment[] = await client.experiments.search();
  const runs: Run[] = await client.runs.search({ experiment_ids: ["0"] });
  const page: Page<Run> = await client.runs.search({ experiment_ids: ["0"] }).firstPage();
  const paged: Paginated<Run> = client.runs.search({ experiment_ids: ["0"] });
  // @ts-expect-error the awaited value is every point, not a page with `items`
  (await client.metrics.getHistory(runId, "loss")).items;
  // @ts-expect-error nor a `nextPageToken`
  (await client.experiments.search()).nextPageToken;
  void [history, experiments, runs, page, paged];
}

// ---------------------------------------------------------------------------------------------
// Statuses, error codes and validation rules are literal unions: a typo does not compile.

export function literalUnions(run: Run, version: ModelVersion, error: unknown): string {
  const status: "RUNNING" | "SCHEDULED" | "FINISHED" | "FAILED" | "KILLED" = run.info.status;
  const stage: "active" | "deleted" = run.info.lifecycle_stage;
  // @ts-expect-error no such run status
  if (run.info.status === "DONE") return "never";
  // @ts-expect-error no such stage
  if (version.current_stage === "Prod") return "never";
  if (error instanceof MlflowApiError) {
    const code: ErrorCode = error.errorCode;
    // @ts-expect-error no such error code
    if (error.errorCode === "RESOURCE_NOT_FOUND") return "never";
    return code;
  }
  if (error instanceof ValidationError) {
    const rule: ValidationRule = error.rule;
    // @ts-expect-error no such rule
    if (error.rule === "max-length") return "never";
    return rule;
  }
  return `${status} ${stage}`;
}

// ---------------------------------------------------------------------------------------------
// run.data as dictionaries, as Python's run.data.params["lr"]; the wire arrays stay.

export function runDataDicts(run: Run): [string | undefined, number | undefined, string | undefined, string] {
  const first = run.data.params[0];
  return [run.data.paramsByKey.lr, run.data.metricsByKey.loss, run.data.tagsByKey["mlflow.runName"], first ? first.key : ""];
}

// ---------------------------------------------------------------------------------------------
// Each subpath resolves with its types, and what moved there is no longer at the root.

export async function subpaths(client: MlflowClient, body: string, headers: Record<string, string>): Promise<string[]> {
  const report: SyncReport = await syncRuns({ from: client, to: new MlflowClient({ trackingUri: "http://mlflow.internal:5000" }), experimentNames: ["mnist"] });
  const text: string = formatReport(await doctorCheckSetup({ experimentName: "mnist" }));
  const signed: boolean = verifyWebhookSignature("secret", { body, headers });
  // Credentials that change: a provider from mlflow-ts/auth, or any async function of the same shape.
  const clients = [
    new MlflowClient({ auth: tokenFileAuth("/var/run/secrets/tokens/mlflow-token", { recheckMs: process.env.RECHECK ? 5_000 : undefined }) }),
    new MlflowClient({ auth: commandAuth("vault read -field=token secret/mlflow", { timeoutMs: 10_000 }) }),
    new MlflowClient({
      auth: oauth2ClientCredentials({ tokenUrl: "https://idp/token", clientId: "jobs", clientSecret: process.env.SECRET ?? "", scope: process.env.SCOPE }),
    }),
    new MlflowClient({ auth: async ({ signal }) => ({ headers: { Authorization: `Bearer ${signal.aborted}` }, expiresAtMs: Date.now() + 60_000 }) }),
  ];
  void clients;
  // @ts-expect-error a provider resolves to { headers }, not to a token string
  void new MlflowClient({ auth: async () => "token" });
  // @ts-expect-error the providers are in mlflow-ts/auth
  void root.tokenFileAuth;
  const endpoint: EndpointName = "runs.logBatch";
  const store: TrackingStore = client.store;
  const rest: RestStore | undefined = undefined;
  void [report, text, signed, ENDPOINTS[endpoint].path, store, rest, DEFAULT_TIMEOUT_MS];
  // @ts-expect-error the endpoint table is in mlflow-ts/advanced, not at the root
  void root.ENDPOINTS;
  // @ts-expect-error syncRuns is in mlflow-ts/sync
  void root.syncRuns;
  // @ts-expect-error the report formatting is in mlflow-ts/doctor
  void root.formatReport;
  return [parseRunsUri("runs:/0123456789abcdef0123456789abcdef/model").runId, SYNC_SOURCE_RUN_ID_TAG];
}
