/**
 * `auth`: a read the server must authorise (`experiments/search`, `max_results=1`), with a 401
 * (who you are) and a 403 (what you may do) explained differently. `permission`: a harmless write
 * that passes the same permission check as logging a run — deleting an experiment tag that does
 * not exist, which answers 404 when allowed and 403 when not, and changes nothing. A server before
 * MLflow 3.2 has no such route (UnsupportedFeatureError): there the probe renames the experiment to
 * its own name, which passes the same EDIT check (200 when allowed, 403 when not) and changes only
 * its last-update time.
 */
import { randomUUID } from "node:crypto";
import { NotFoundError, PermissionDeniedError } from "../../core/errors.js";
import type { Experiment } from "../../protocol/entities/tracking.js";
import { UnsupportedFeatureError } from "../../protocol/unsupported-feature-error.js";
import type { SetupContext } from "../context.js";
import { describeTrackingFailure } from "../failures.js";
import { type CheckDefinition, fail, notApplicable, pass, warn } from "../runner.js";

/** The `auth` check. @internal */
export const authCheck: CheckDefinition<SetupContext> = {
  id: "auth",
  title: "Authentication",
  needs: ["server.reachable"],
  calls: 1,
  async run(context, signal) {
    if (!context.transport) return notApplicable("No tracking server: nothing to authenticate to.");
    const config = context.config!;
    try {
      await context.client!.experiments.search({ max_results: 1 }, context.callOptions(signal)).firstPage();
    } catch (error) {
      const { detail, hint } = describeTrackingFailure(error, config, "search experiments", context.settings.timeoutMs);
      return fail(detail, hint);
    }
    const auth = config.auth;
    const who =
      auth.kind === "none"
        ? "without credentials (the server requires none)"
        : auth.kind === "basic"
          ? `as user "${auth.username}"`
          : auth.kind === "provider"
            ? `with the auth provider's credentials (${auth.source})`
            : "with a bearer token";
    return pass(`Searched experiments ${who}.`);
  },
};

/** The `permission` check. @internal */
export const permissionCheck: CheckDefinition<SetupContext> = {
  id: "permission",
  title: "Write permission",
  needs: ["experiment"],
  // the probe; on a server before 3.2 also its version and the rename
  calls: 3,
  async run(context, signal) {
    if (!context.settings.write) return notApplicable("Write probes are off (--no-write).");
    if (!context.transport) return notApplicable("No tracking server: the embedded store has no permissions.");
    const experiment = context.experiment;
    if (!experiment) return notApplicable("No experiment to probe.");
    const probeTag = `mlflow-ts.doctor.probe-${randomUUID()}`;
    const name = `experiment "${experiment.name}" (id ${experiment.experiment_id})`;
    try {
      await context.client!.experiments.deleteTag(experiment.experiment_id, probeTag, context.callOptions(signal));
    } catch (error) {
      if (error instanceof NotFoundError && error.errorCode === "RESOURCE_DOES_NOT_EXIST") return pass(`May write to ${name}.`);
      if (error instanceof UnsupportedFeatureError) return renameProbe(context, experiment, name, signal);
      if (error instanceof NotFoundError) return warn(`Could not probe write permission: the server has no ${error.endpoint} (an older MLflow).`, undefined);
      if (error instanceof PermissionDeniedError) return readOnly(context, name, error.serverMessage);
      const { detail, hint } = describeTrackingFailure(error, context.config!, `probe write permission on ${name}`, context.settings.timeoutMs);
      return fail(detail, hint);
    }
    return pass(`May write to ${name}.`);
  },
};

/** The probe on a server before MLflow 3.2: the experiment renamed to its own name. */
async function renameProbe(context: SetupContext, experiment: Experiment, name: string, signal: AbortSignal) {
  try {
    await context.client!.experiments.update(experiment.experiment_id, { new_name: experiment.name }, context.callOptions(signal));
  } catch (error) {
    if (error instanceof PermissionDeniedError) return readOnly(context, name, error.serverMessage);
    const { detail, hint } = describeTrackingFailure(error, context.config!, `probe write permission on ${name}`, context.settings.timeoutMs);
    return fail(detail, hint);
  }
  return pass(`May write to ${name} (renamed it to its own name: the server has no experiment-tag delete before MLflow 3.2).`);
}

function readOnly(context: SetupContext, name: string, serverMessage: string) {
  const auth = context.config!.auth;
  const who = auth.kind === "basic" ? `User "${auth.username}"` : "These credentials";
  return fail(
    `${who} may read but not write ${name}: HTTP 403 "${serverMessage || "permission denied"}", so runs cannot be logged there.`,
    `Ask the experiment's owner or an MLflow admin to grant this user EDIT (or MANAGE) on it (MLflow UI: the experiment's permissions, or the auth REST API), or log to an experiment this user may write (set MLFLOW_EXPERIMENT_NAME or --experiment).`,
  );
}
