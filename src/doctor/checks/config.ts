/**
 * `config`: the configuration resolves exactly as the user's own client would resolve it (tracking
 * URI, `MLFLOW_S3_ENDPOINT_URL`, TLS settings, numbers and booleans), nothing in it is risky, and —
 * under CI or when asked — a tracking server is configured at all: an unset or empty
 * `MLFLOW_TRACKING_URI` in a CI job would log to the runner's disk and pass every later check.
 * Builds the doctor's own client: same configuration, short timeouts, no retries.
 */
import { MlflowClient } from "../../client/client.js";
import { type ResolvedConfig, resolveConfig, type TrackingTarget } from "../../config/resolve.js";
import { ConfigurationError } from "../../core/errors.js";
import type { SetupContext } from "../context.js";
import { splitFix } from "../failures.js";
import { type CheckDefinition, type CheckOutcome, fail, pass, warn } from "../runner.js";

const LOOPBACK = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])$/i;

/** The `config` check. @internal */
export const configCheck: CheckDefinition<SetupContext> = {
  id: "config",
  title: "Configuration",
  needs: [],
  calls: 0,
  async run(context) {
    let config: ResolvedConfig;
    try {
      config = resolveConfig(context.settings.client);
    } catch (error) {
      if (!(error instanceof ConfigurationError)) throw error;
      const { detail, hint } = splitFix(error.message, `Correct ${error.key}, or unset it to use the default.`);
      return fail(detail, /^e\.g\./i.test(hint) ? `Correct ${error.key}, e.g.${hint.slice(4)}` : hint);
    }
    const ms = context.settings.timeoutMs;
    context.config = config;
    context.client = new MlflowClient({ ...context.settings.client, timeoutMs: ms, maxRetries: 0, deadlineMs: ms });
    return judge(config, context.settings.requireServer ?? config.doctor.ciJob);
  },
};

function judge(config: ResolvedConfig, requireServer: boolean): CheckOutcome {
  const summary = describeConfig(config);
  const tracking = config.tracking;
  if (requireServer && tracking.kind === "sqlite") return withoutServer(tracking);
  const risks = risksOf(config);
  if (risks.length === 0) return pass(summary);
  return warn(`${summary} ${risks.map((risk) => risk.detail).join(" ")}`, risks.map((risk) => risk.hint).join(" "));
}

/** The failure when a tracking server is required but the configuration logs to a local file. */
function withoutServer(tracking: Extract<TrackingTarget, { kind: "sqlite" }>): CheckOutcome {
  const why = "a tracking server is required here (CI is set, or --require-server / requireServer was given)";
  if (tracking.isDefault) {
    return fail(
      `MLFLOW_TRACKING_URI is not set (or is empty), so runs would go to the embedded store ${tracking.uri} on this machine's disk, and a CI runner's disk is thrown away with it; ${why}.`,
      "Set MLFLOW_TRACKING_URI=http://<server>:5000 in the job's environment (an empty value usually means a CI secret or variable that is not defined for this job). To log to the embedded store on purpose, pass --no-require-server (checkSetup: requireServer: false).",
    );
  }
  return fail(
    `MLFLOW_TRACKING_URI is ${tracking.uri}, a local file, not a tracking server; ${why}.`,
    "Set MLFLOW_TRACKING_URI=http://<server>:5000, or pass --no-require-server (checkSetup: requireServer: false) to check the embedded store.",
  );
}

/** One line on where runs go, how the client authenticates and how it reaches S3; no secret. */
function describeConfig(config: ResolvedConfig): string {
  const tracking = config.tracking;
  const where = tracking.kind === "rest" ? `Tracking server ${tracking.displayUri}` : `Embedded store ${tracking.uri}`;
  const auth = config.auth;
  const who =
    auth.kind === "none"
      ? "no credentials"
      : auth.kind === "basic"
        ? `basic auth as "${auth.username}" (${auth.source})`
        : auth.kind === "provider"
          ? `auth provider (${auth.source})`
          : `bearer token (${auth.source})`;
  const s3 = config.s3;
  const endpoint = s3.endpointUrl ? `S3 endpoint ${s3.endpointUrl}` : "S3 endpoint: AWS (MLFLOW_S3_ENDPOINT_URL not set)";
  const style = s3.forcePathStyle ? "path-style" : "virtual-hosted-style";
  return `${where}, ${tracking.kind === "rest" ? who : "no server"}; ${endpoint}, region ${s3.region}, ${style}, checksums ${s3.checksum}.`;
}

/** Settings that work but deserve attention. */
function risksOf(config: ResolvedConfig): { detail: string; hint: string }[] {
  const risks: { detail: string; hint: string }[] = [];
  const tracking = config.tracking;
  if (tracking.kind === "sqlite" && tracking.isDefault) {
    risks.push({
      detail: "MLFLOW_TRACKING_URI is not set, so runs go to the embedded store.",
      hint: "To log to a tracking server, set MLFLOW_TRACKING_URI=http://<server>:5000.",
    });
  }
  if (tracking.kind === "rest" && tracking.baseUrl.startsWith("https:") && config.http.tls.insecure) {
    risks.push({
      detail: "TLS certificate verification is off (MLFLOW_TRACKING_INSECURE_TLS).",
      hint: "Trust the server's CA instead: MLFLOW_TRACKING_SERVER_CERT_PATH=<ca.pem>, and unset MLFLOW_TRACKING_INSECURE_TLS.",
    });
  }
  if (tracking.kind === "rest" && config.auth.kind !== "none" && sendsCredentialsInClear(tracking.baseUrl)) {
    risks.push({
      detail: "Credentials go to the server over plain http://.",
      hint: "Serve MLflow over https:// (a TLS reverse proxy) and use an https:// MLFLOW_TRACKING_URI.",
    });
  }
  if (config.s3.endpointUrl && config.s3.checksum === "WHEN_SUPPORTED") {
    risks.push({
      detail: "MLFLOW_TS_S3_CHECKSUM=WHEN_SUPPORTED with a custom S3 endpoint: many S3-compatible servers reject the SDK's default checksums.",
      hint: "Unset MLFLOW_TS_S3_CHECKSUM (default WHEN_REQUIRED) if uploads fail with NotImplemented or XAmzContentSHA256Mismatch.",
    });
  }
  if (config.doctor.awsEndpointUrlS3 && !config.s3.endpointUrl) {
    risks.push({
      detail: "AWS_ENDPOINT_URL_S3 is set but MLFLOW_S3_ENDPOINT_URL is not.",
      hint: "MLflow clients read MLFLOW_S3_ENDPOINT_URL: set it to the same URL.",
    });
  }
  return risks;
}

function sendsCredentialsInClear(baseUrl: string): boolean {
  const url = new URL(baseUrl);
  return url.protocol === "http:" && !LOOPBACK.test(url.hostname);
}
