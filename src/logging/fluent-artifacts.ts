/**
 * Artifacts by URI on the default client, as Python's `mlflow.artifacts` module offers them:
 * `downloadArtifacts`, `listArtifacts`, `loadText`, `loadDict` and `openArtifact`. Each is one line
 * over `client.uris` (see `resources/artifact-uris.ts` for how a URI is resolved).
 */
import type { Readable } from "node:stream";
import type { DownloadOptions } from "../artifacts/types.js";
import type { MlflowClient } from "../client/client.js";
import type { ClientOptions } from "../config/options.js";
import type { RequestOptions } from "../core/http/transport.js";
import type { FileInfo } from "../protocol/entities/tracking.js";
import type { ListArtifactsOptions } from "../resources/artifact-uris.js";
import { resolveClient } from "./fluent.js";

/** Which client a fluent call uses. */
export interface FluentClientOption {
  /** The client, or options for a new one. @defaultValue the shared client configured from the environment */
  client?: MlflowClient | ClientOptions | undefined;
}

/**
 * Downloads the file or folder an artifact URI names into `destDir` and returns its local path,
 * as `mlflow.artifacts.download_artifacts(uri, dst_path=destDir)`: `runs:/<run>/<path>`,
 * `models:/<name>/<version>`, `models:/<name>@<alias>`, `models:/<model_id>`, `s3://…`,
 * `mlflow-artifacts:/…`. A model's files land in `destDir` itself; any other URI's last segment
 * lands as `destDir/<last segment>`.
 *
 * @throws {ArtifactNotFoundError} when the URI names nothing; the message names the URI and the fix.
 * @throws {ValidationError} for a malformed `runs:/` or `models:/` URI.
 * @example
 * const dir = await downloadArtifacts("models:/churn@champion", "./model");
 */
export function downloadArtifacts(uri: string, destDir: string, options: DownloadOptions & FluentClientOption = {}): Promise<string> {
  const { client, ...rest } = options;
  return resolveClient(client).uris.download(uri, destDir, rest);
}

/**
 * Lists the direct children of the folder an artifact URI names, as `mlflow.artifacts.list_artifacts(uri)`
 * (with `recursive: true`, everything below it).
 * @throws {ArtifactNotFoundError} when the run, model or version does not exist.
 * @example
 * for (const file of await listArtifacts("models:/churn@champion")) console.log(file.path, file.file_size);
 */
export function listArtifacts(uri: string, options: ListArtifactsOptions & FluentClientOption = {}): Promise<FileInfo[]> {
  const { client, ...rest } = options;
  return resolveClient(client).uris.list(uri, rest);
}

/**
 * Reads a UTF-8 text artifact by URI, as `mlflow.artifacts.load_text(uri)`.
 * @throws {ArtifactNotFoundError} when the URI names no file.
 * @example
 * const notes = await loadText(`runs:/${runId}/notes.txt`);
 */
export function loadText(uri: string, options: RequestOptions & FluentClientOption = {}): Promise<string> {
  const { client, ...rest } = options;
  return resolveClient(client).uris.loadText(uri, rest);
}

/**
 * Reads a JSON artifact by URI, as `mlflow.artifacts.load_dict(uri)`.
 * @throws {ValidationError} (rule `json`) when the file is not JSON.
 * @example
 * const { accuracy } = await loadDict<{ accuracy: number }>(`runs:/${runId}/eval/summary.json`);
 */
export function loadDict<T = Record<string, unknown>>(uri: string, options: RequestOptions & FluentClientOption = {}): Promise<T> {
  const { client, ...rest } = options;
  return resolveClient(client).uris.loadDict<T>(uri, rest);
}

/**
 * Opens the file an artifact URI names as a stream (nothing is written to disk).
 * @throws {ArtifactNotFoundError} when the URI names no file.
 * @example
 * const stream = await openArtifact("models:/churn@champion/model.onnx");
 * stream.pipe(createWriteStream("model.onnx"));
 */
export function openArtifact(uri: string, options: RequestOptions & FluentClientOption = {}): Promise<Readable> {
  const { client, ...rest } = options;
  return resolveClient(client).uris.open(uri, rest);
}
