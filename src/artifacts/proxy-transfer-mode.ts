/**
 * How a proxied (`mlflow-artifacts:`) upload or download goes, decided in one place from the
 * client's settings and what the server says about itself, as MLflow 3.18's Python client decides
 * it (`http_artifact_repo.py`):
 *
 * - **multipart uploads** (parts straight to presigned S3 URLs): `artifacts.proxyMultipartUpload` /
 *   `MLFLOW_ENABLE_PROXY_MULTIPART_UPLOAD` when set; unset, what a 3.18+ server advertises in
 *   `server-info` (`multipart_uploads_enabled`, which from 3.18 means its operator opted in). Before
 *   3.18 an unset setting means off: those servers advertise multipart whenever their store can do
 *   it, including where the presigned S3 address is not reachable from clients, so following them
 *   would break uploads that work through the server today.
 * - **presigned only** (`mlflow server --artifacts-presigned-only`, 3.18+, `artifacts_presigned_only`
 *   in `server-info`): the server refuses proxied bytes both ways (403), so every upload goes by
 *   multipart, even an empty file (one part), and every download by a presigned URL
 *   (`GET /api/2.0/mlflow-artifacts/presigned/<path>`). A store learns it from the server's first
 *   refusal (`isPresignedOnlyRefusal`) and remembers it for the client's life
 *   (`ProxyServerState`), so a proxied transfer to any other server costs no extra request.
 */
import { MlflowApiError } from "../core/errors.js";
import type { RequestOptions } from "../core/http/transport.js";
import type { ServerInfo } from "../protocol/entities/server-info.js";
import { releasedBefore } from "../protocol/server-features.js";

/** The first release whose `multipart_uploads_enabled` is the operator's opt-in and that has presigned-only servers. */
export const PRESIGNED_TRANSFERS_SINCE = "3.18";

/**
 * What a proxied store may ask about its server (`client.server`); without it a store assumes a
 * current server with default settings.
 * @internal
 */
export interface ArtifactServerFacts {
  version(options: RequestOptions): Promise<string | undefined>;
  info(options: RequestOptions): Promise<ServerInfo | undefined>;
}

/**
 * What the proxied stores of one client know about their tracking server: its facts, and whether it
 * refused proxied bytes (presigned only), learned once and shared by every store of the client.
 * @internal
 */
export interface ProxyServerState {
  readonly facts: ArtifactServerFacts | undefined;
  presignedOnly: boolean;
}

/**
 * Whether `error` is a presigned-only server refusing proxied bytes: 403 `PERMISSION_DENIED` with
 * MLflow's message (`mlflow/server/artifact_transfer.py`; its JSON also carries
 * `artifacts_presigned_only`, which the SDK's errors do not keep).
 * @internal
 */
export function isPresignedOnlyRefusal(error: unknown): boolean {
  return (
    error instanceof MlflowApiError &&
    error.status === 403 &&
    /requires artifacts to be (uploaded directly to|downloaded directly from) storage/.test(error.serverMessage)
  );
}

/** How proxied transfers go for one server. @internal */
export interface ProxyTransferMode {
  /** Large files (≥ `proxyMultipartMinBytes`) go by the multipart API. */
  multipart: boolean;
  /** Every transfer goes by presigned URLs: multipart uploads of any size, presigned downloads. */
  presignedOnly: boolean;
  /** Why `multipart` is what it is, for the doctor. */
  multipartSource: "setting" | "server-info" | "default";
}

/**
 * Decides the mode from the client's setting and the server's version and `server-info`.
 *
 * @param setting - `artifacts.proxyMultipartUpload` as resolved (`undefined`: not configured).
 * @example
 * proxyTransferMode(undefined, "3.18.0", { multipart_uploads_enabled: true }) // { multipart: true, presignedOnly: false, multipartSource: "server-info" }
 * @internal
 */
export function proxyTransferMode(setting: boolean | undefined, version: string | undefined, info: ServerInfo | undefined): ProxyTransferMode {
  const presignedOnly = info?.artifacts_presigned_only === true;
  if (setting !== undefined) return { multipart: setting, presignedOnly, multipartSource: "setting" };
  const advertises = version !== undefined && releasedBefore(version, PRESIGNED_TRANSFERS_SINCE) === false;
  if (advertises && info?.multipart_uploads_enabled !== undefined)
    return { multipart: info.multipart_uploads_enabled, presignedOnly, multipartSource: "server-info" };
  return { multipart: false, presignedOnly, multipartSource: "default" };
}

/**
 * The mode for `server`, asked once per call site (the facts are cached per client); the default
 * mode when there is no server to ask.
 * @throws the transport's error when the server does not answer `/version`.
 * @internal
 */
export async function proxyTransferModeOf(
  setting: boolean | undefined,
  server: ArtifactServerFacts | undefined,
  options: RequestOptions,
): Promise<ProxyTransferMode> {
  if (server === undefined) return proxyTransferMode(setting, undefined, undefined);
  const version = await server.version(options);
  const info = version !== undefined && releasedBefore(version, PRESIGNED_TRANSFERS_SINCE) === true ? undefined : await server.info(options);
  return proxyTransferMode(setting, version, info);
}
