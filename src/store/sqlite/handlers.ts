/**
 * The RPCs the embedded store answers, by endpoint name, and how each runs: `read` in a deferred
 * transaction, `write` in an immediate one (it takes the write lock at its start), `async` outside
 * a transaction (it reads files). RPCs missing here fail with `NOT_IMPLEMENTED` (HTTP 501). Every
 * RPC but the workspace API's first checks that the client's workspace exists, as the server
 * checks its `X-MLFLOW-WORKSPACE` header.
 */
import type { EndpointName, EndpointRequest } from "../../protocol/endpoints.js";
import type { StoreContext } from "./engine/context.js";
import { searchLoggedModels } from "./logged-models/logged-model-search.js";
import {
  createLoggedModel,
  deleteLoggedModel,
  deleteLoggedModelTag,
  finalizeLoggedModel,
  getLoggedModel,
  listLoggedModelArtifacts,
  logLoggedModelParams,
  setLoggedModelTags,
} from "./logged-models/logged-models.js";
import {
  createModelVersion,
  deleteModelVersion,
  deleteModelVersionTag,
  getModelVersion,
  getModelVersionDownloadUri,
  searchModelVersions,
  setModelVersionTag,
  transitionModelVersionStage,
  updateModelVersion,
} from "./registry/model-versions.js";
import {
  createRegisteredModel,
  deleteRegisteredModel,
  deleteRegisteredModelAlias,
  deleteRegisteredModelTag,
  getLatestVersions,
  getModelVersionByAlias,
  getRegisteredModel,
  renameRegisteredModel,
  searchRegisteredModels,
  setRegisteredModelAlias,
  setRegisteredModelTag,
  updateRegisteredModel,
} from "./registry/registered-models.js";
import { listArtifacts } from "./tracking/artifact-listing.js";
import {
  createExperiment,
  deleteExperiment,
  deleteExperimentTag,
  getExperiment,
  getExperimentByName,
  renameExperiment,
  restoreExperiment,
  searchExperiments,
  setExperimentTag,
} from "./tracking/experiments.js";
import { getMetricHistory, getMetricHistoryBulkInterval } from "./tracking/metric-history.js";
import { logInputs, logOutputs } from "./tracking/run-inputs.js";
import { deleteTag, logBatch, logMetric, logParam, setTag } from "./tracking/run-logging.js";
import { searchRuns } from "./tracking/run-search.js";
import { createRun, deleteRun, getRun, restoreRun, updateRun } from "./tracking/runs.js";
import { createWorkspace, deleteWorkspace, getWorkspace, listWorkspaces, updateWorkspace } from "./workspaces/workspaces.js";

type SyncHandler<N extends EndpointName> = (ctx: StoreContext, request: EndpointRequest<N>) => unknown;

/**
 * How one RPC runs; `run` returns the response in wire form (before the endpoint schema parses it).
 * `anyWorkspace` marks the workspace API, which names its workspace in the request, not the client's.
 * @internal
 */
export type Handler<N extends EndpointName> = (
  | { mode: "read" | "write"; run: SyncHandler<N> }
  | { mode: "async"; run: (ctx: StoreContext, request: EndpointRequest<N>) => Promise<unknown> }
) & { anyWorkspace?: true };

const read = <N extends EndpointName>(run: SyncHandler<N>): Handler<N> => ({ mode: "read", run });
const write = <N extends EndpointName>(run: SyncHandler<N>): Handler<N> => ({ mode: "write", run });
const workspaceApi = <N extends EndpointName>(handler: Handler<N>): Handler<N> => ({ ...handler, anyWorkspace: true });

/** Every RPC the embedded store answers. @internal */
export const HANDLERS: { readonly [N in EndpointName]?: Handler<N> } = {
  "experiments.create": write(createExperiment),
  "experiments.get": read(getExperiment),
  "experiments.getByName": read(getExperimentByName),
  "experiments.search": read(searchExperiments),
  "experiments.update": write(renameExperiment),
  "experiments.delete": write(deleteExperiment),
  "experiments.restore": write(restoreExperiment),
  "experiments.setTag": write(setExperimentTag),
  "experiments.deleteTag": write(deleteExperimentTag),
  "runs.create": write(createRun),
  "runs.get": read(getRun),
  "runs.update": write(updateRun),
  "runs.delete": write(deleteRun),
  "runs.restore": write(restoreRun),
  "runs.search": read(searchRuns),
  "runs.logMetric": write(logMetric),
  "runs.logParam": write(logParam),
  "runs.setTag": write(setTag),
  "runs.deleteTag": write(deleteTag),
  "runs.logBatch": write(logBatch),
  "runs.logInputs": write(logInputs),
  "runs.logOutputs": write(logOutputs),
  "metrics.getHistory": read(getMetricHistory),
  "metrics.getHistoryBulkInterval": read(getMetricHistoryBulkInterval),
  "artifacts.list": { mode: "async", run: listArtifacts },
  "registeredModels.create": write(createRegisteredModel),
  "registeredModels.get": read(getRegisteredModel),
  "registeredModels.rename": write(renameRegisteredModel),
  "registeredModels.update": write(updateRegisteredModel),
  "registeredModels.delete": write(deleteRegisteredModel),
  "registeredModels.search": read(searchRegisteredModels),
  "registeredModels.getLatestVersions": read(getLatestVersions),
  "registeredModels.setTag": write(setRegisteredModelTag),
  "registeredModels.deleteTag": write(deleteRegisteredModelTag),
  "registeredModels.setAlias": write(setRegisteredModelAlias),
  "registeredModels.deleteAlias": write(deleteRegisteredModelAlias),
  "registeredModels.getByAlias": read(getModelVersionByAlias),
  "modelVersions.create": write(createModelVersion),
  "modelVersions.get": read(getModelVersion),
  "modelVersions.update": write(updateModelVersion),
  "modelVersions.delete": write(deleteModelVersion),
  "modelVersions.search": read(searchModelVersions),
  "modelVersions.transitionStage": write(transitionModelVersionStage),
  "modelVersions.getDownloadUri": read(getModelVersionDownloadUri),
  "modelVersions.setTag": write(setModelVersionTag),
  "modelVersions.deleteTag": write(deleteModelVersionTag),
  "loggedModels.create": write(createLoggedModel),
  "loggedModels.get": read(getLoggedModel),
  "loggedModels.finalize": write(finalizeLoggedModel),
  "loggedModels.delete": write(deleteLoggedModel),
  "loggedModels.search": read(searchLoggedModels),
  "loggedModels.setTags": write(setLoggedModelTags),
  "loggedModels.deleteTag": write(deleteLoggedModelTag),
  "loggedModels.logParams": write(logLoggedModelParams),
  "loggedModels.listArtifacts": { mode: "async", run: listLoggedModelArtifacts },
  "workspaces.list": workspaceApi(read(listWorkspaces)),
  "workspaces.get": workspaceApi(read(getWorkspace)),
  "workspaces.create": workspaceApi(write(createWorkspace)),
  "workspaces.update": workspaceApi(write(updateWorkspace)),
  "workspaces.delete": workspaceApi(write(deleteWorkspace)),
};
