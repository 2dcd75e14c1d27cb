/** What the model features use of a client: its resources (so `models/` sits just below `client/`). */
import type { ArtifactUris } from "../resources/artifact-uris.js";
import type { Artifacts } from "../resources/artifacts.js";
import type { LoggedModels } from "../resources/logged-models.js";
import type { Metrics } from "../resources/metrics.js";
import type { ModelVersions } from "../resources/model-versions.js";
import type { RegisteredModels } from "../resources/registered-models.js";
import type { Runs } from "../resources/runs.js";

/** The resources a model operation calls. @internal */
export interface ModelsContext {
  runs: Runs;
  artifacts: Artifacts;
  metrics: Metrics;
  loggedModels: LoggedModels;
  registeredModels: RegisteredModels;
  modelVersions: ModelVersions;
  uris: ArtifactUris;
}
