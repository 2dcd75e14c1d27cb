/**
 * `experiment`: the experiment runs will log to exists, or can be created, and is not deleted.
 * In offline mode it does not apply: the doctor never writes into an offline store (its probe
 * experiment would be synced to the server later), so it and the checks after it are skipped.
 * `artifacts.mode`: where its runs' artifacts go, read from its `artifact_location`: straight to
 * S3 with this machine's credentials, through the tracking server's proxy, or to a local path.
 */
import { type ArtifactLocation, parseArtifactUri } from "../../artifacts/artifact-uri.js";
import { UnsupportedArtifactStoreError } from "../../artifacts/errors.js";
import { ConfigurationError, NotFoundError } from "../../core/errors.js";
import type { Experiment } from "../../protocol/entities/tracking.js";
import { PROBE_EXPERIMENT_NAME, type SetupContext } from "../context.js";
import { describeTrackingFailure, splitFix } from "../failures.js";
import { type CheckDefinition, type CheckOutcome, fail, notApplicable, pass, warn } from "../runner.js";

/** Id of the experiment MLflow creates with every store. */
const DEFAULT_EXPERIMENT_ID = "0";

/** Which experiment to check, and where its name came from. */
type Target = { by: "name"; name: string; source: string } | { by: "id"; id: string; source: string };

/** The `experiment` check. @internal */
export const experimentCheck: CheckDefinition<SetupContext> = {
  id: "experiment",
  title: "Experiment",
  needs: ["auth"],
  calls: 2,
  async run(context, signal) {
    const offline = context.config!.tracking.kind === "sqlite" ? context.config!.tracking.offline : undefined;
    if (offline) {
      return notApplicable(
        `Offline mode (MLFLOW_TS_OFFLINE): runs go to the offline store ${offline.folder} for ${offline.trackingUri} and reach it with \`mlflow-ts sync --offline\`; the doctor writes nothing there, so the experiment, artifact and round-trip checks do not apply offline. To check the server itself, run the doctor without MLFLOW_TS_OFFLINE.`,
      );
    }
    const target = targetOf(context);
    const client = context.client!;
    const options = context.callOptions(signal);
    try {
      const found = target.by === "name" ? await client.experiments.getByName(target.name, options) : await client.experiments.get(target.id, options);
      if (found) return judgeExisting(context, found, target);
      if (target.by === "id") return missingId(target);
      if (!context.settings.write) return fallBackToDefault(context, target, signal);
      const id = await client.experiments.create({ name: target.name }, options);
      context.experiment = await client.experiments.get(id, options);
      return pass(`Created experiment "${target.name}" (id ${id}, ${target.source}); artifact location ${context.experiment.artifact_location}.`);
    } catch (error) {
      if (error instanceof NotFoundError && target.by === "id") return missingId(target);
      return failure(context, error, target);
    }
  },
};

function targetOf(context: SetupContext): Target {
  const fluent = context.config!.fluent;
  if (context.settings.experimentName) return { by: "name", name: context.settings.experimentName, source: "as asked" };
  if (fluent.experimentName) return { by: "name", name: fluent.experimentName, source: "from MLFLOW_EXPERIMENT_NAME" };
  if (fluent.experimentId) return { by: "id", id: fluent.experimentId, source: "from MLFLOW_EXPERIMENT_ID" };
  return { by: "name", name: PROBE_EXPERIMENT_NAME, source: "the doctor's probe experiment" };
}

function judgeExisting(context: SetupContext, experiment: Experiment, target: Target): CheckOutcome {
  const name = `Experiment "${experiment.name}" (id ${experiment.experiment_id}, ${target.source})`;
  if (experiment.lifecycle_stage === "deleted") {
    return fail(
      `${name} is deleted: new runs cannot be created in it, and its name cannot be reused until it is purged.`,
      `Restore it (mlflow experiments restore --experiment-id ${experiment.experiment_id}), purge it (mlflow gc --experiment-ids ${experiment.experiment_id}), or use another name (MLFLOW_EXPERIMENT_NAME or --experiment).`,
    );
  }
  context.experiment = experiment;
  return pass(`${name} exists; artifact location ${experiment.artifact_location}.`);
}

function missingId(target: Extract<Target, { by: "id" }>): CheckOutcome {
  return fail(
    `There is no experiment with id ${target.id} (${target.source}).`,
    "Set MLFLOW_EXPERIMENT_ID to an existing experiment's id, or unset it and set MLFLOW_EXPERIMENT_NAME.",
  );
}

/**
 * With writes off a missing experiment is not created; the artifact checks then use the Default
 * experiment's location, which shares the server's artifact root.
 */
async function fallBackToDefault(context: SetupContext, target: Extract<Target, { by: "name" }>, signal: AbortSignal): Promise<CheckOutcome> {
  const missing = `Experiment "${target.name}" (${target.source}) does not exist; the first run will create it. Not created now: write probes are off.`;
  const fallback = await context.client!.experiments.get(DEFAULT_EXPERIMENT_ID, context.callOptions(signal)).catch(() => undefined);
  if (fallback?.lifecycle_stage !== "active") return warn(`${missing} The artifact checks have no location to probe.`, undefined);
  context.experiment = fallback;
  return warn(`${missing} The artifact checks use the Default experiment's location ${fallback.artifact_location} instead.`, undefined);
}

function failure(context: SetupContext, error: unknown, target: Target): CheckOutcome {
  const what = target.by === "name" ? `find or create experiment "${target.name}"` : `get experiment ${target.id}`;
  const { detail, hint } = describeTrackingFailure(error, context.config!, what, context.settings.timeoutMs);
  return fail(detail, hint);
}

/** The `artifacts.mode` check. @internal */
export const artifactModeCheck: CheckDefinition<SetupContext> = {
  id: "artifacts.mode",
  title: "Artifact mode",
  needs: ["experiment", "permission"],
  calls: 0,
  async run(context) {
    const experiment = context.experiment;
    if (!experiment) return notApplicable("No experiment to read an artifact location from.");
    const config = context.config!;
    const trackingUrl = config.tracking.kind === "rest" ? config.tracking.baseUrl : undefined;
    let location: ArtifactLocation;
    try {
      location = parseArtifactUri(experiment.artifact_location, trackingUrl);
    } catch (error) {
      if (!(error instanceof UnsupportedArtifactStoreError || error instanceof ConfigurationError)) throw error;
      const { detail, hint } = splitFix(
        error.message,
        "Create the experiment with an s3:// artifact_location, or let the server proxy artifacts (mlflow server --serve-artifacts).",
      );
      return fail(detail, hint);
    }
    context.location = location;
    return describeMode(location, trackingUrl !== undefined, config.s3.endpointUrl);
  },
};

function describeMode(location: ArtifactLocation, hasServer: boolean, endpointUrl: string | undefined): CheckOutcome {
  if (location.kind === "s3") {
    const via = endpointUrl ? `the S3 server ${endpointUrl} (MLFLOW_S3_ENDPOINT_URL)` : "AWS S3 (MLFLOW_S3_ENDPOINT_URL is not set)";
    return pass(`Direct S3: runs upload to bucket "${location.bucket}" (${location.uri}) through ${via}, with this machine's AWS credentials.`);
  }
  if (location.kind === "proxy") {
    return pass(`Proxied: artifacts go through the tracking server (${location.uri} → ${location.serverUrl}); this machine needs no S3 access.`);
  }
  if (!hasServer) return pass(`Local: artifacts are written to ${location.directory}.`);
  return warn(
    `Local path: artifact location ${location.uri} is a directory on the disk of whoever writes, so this machine writes artifacts to its own ${location.directory}; the server and its UI see them only if both share that file system.`,
    "Start the server with --artifacts-destination s3://<bucket> (proxied, the default with --serve-artifacts) or --default-artifact-root s3://<bucket>, then use a new experiment.",
  );
}
