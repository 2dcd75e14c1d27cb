/**
 * Artifact URIs: which store a run's `artifact_uri` names, and how artifact paths become object
 * keys. Mirrors MLflow: `S3ArtifactRepository.parse_s3_compliant_uri`,
 * `MlflowArtifactsRepository.resolve_uri` and `posixpath.join` for keys.
 */
import { isAbsolute, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { ConfigurationError } from "../core/errors.js";
import { redactUrl } from "../core/redact.js";
import { UnsupportedArtifactStoreError } from "./errors.js";

/** Path of the proxied-artifact service on a tracking server. */
export const ARTIFACTS_SERVICE_PATH = "/api/2.0/mlflow-artifacts/artifacts";

/** Where a run's artifacts live, by store. */
export type ArtifactLocation =
  /** Directly in a bucket: keys are `<prefix>/<artifact path>`. */
  | { kind: "s3"; uri: string; bucket: string; prefix: string }
  /**
   * Behind the tracking server's artifact proxy. `serverUrl` is the server root (scheme, host and
   * any path prefix, no credentials); `root` is the run's directory inside the proxy, e.g.
   * `1/<run id>/artifacts`.
   */
  | { kind: "proxy"; uri: string; serverUrl: string; root: string }
  /** On the local disk (the embedded store, or a server sharing this file system). */
  | { kind: "local"; uri: string; directory: string };

/**
 * Parses a run's `artifact_uri`.
 *
 * - `s3://bucket/prefix` → `s3`;
 * - `mlflow-artifacts:/path` and `mlflow-artifacts://host:port/path` → `proxy`, resolved against the
 *   tracking URI exactly as MLflow's `MlflowArtifactsRepository.resolve_uri` does;
 * - `http(s)://…/api/2.0/mlflow-artifacts/artifacts/…` → `proxy`;
 * - `file:` URIs and plain paths → `local`.
 *
 * @param uri - The run's `artifact_uri`.
 * @param trackingUri - The tracking server URL, needed for `mlflow-artifacts:` URIs.
 * @throws {UnsupportedArtifactStoreError} for any other scheme (the message names it).
 * @throws {ConfigurationError} for `mlflow-artifacts:` URIs without an http(s) tracking URI.
 * @example
 * parseArtifactUri("s3://mlflow/1/abc/artifacts");
 * // { kind: "s3", bucket: "mlflow", prefix: "1/abc/artifacts", uri: "s3://mlflow/1/abc/artifacts" }
 * parseArtifactUri("mlflow-artifacts:/1/abc/artifacts", "http://127.0.0.1:5000");
 * // { kind: "proxy", serverUrl: "http://127.0.0.1:5000", root: "1/abc/artifacts", … }
 */
export function parseArtifactUri(uri: string, trackingUri?: string): ArtifactLocation {
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(uri)?.[1]?.toLowerCase();
  if (scheme === undefined || /^[a-zA-Z]:[\\/]/.test(uri)) return { kind: "local", uri, directory: resolve(uri) };
  if (scheme === "s3") return parseS3(uri);
  if (scheme === "mlflow-artifacts") return parseMlflowArtifacts(uri, trackingUri);
  if ((scheme === "http" || scheme === "https") && uri.includes(ARTIFACTS_SERVICE_PATH)) return parseHttpProxy(uri);
  if (scheme === "file") return { kind: "local", uri, directory: fileUriToPath(uri) };
  throw unsupported(scheme, uri);
}

/**
 * Joins artifact path parts with `/`, skipping empty parts and trailing slashes, as
 * `posixpath.join` does for the relative, validated parts MLflow joins.
 *
 * @example
 * joinArtifactPath("1/abc/artifacts", "model", "model.pkl"); // "1/abc/artifacts/model/model.pkl"
 * joinArtifactPath("", undefined, "a.txt");                  // "a.txt"
 */
export function joinArtifactPath(...parts: (string | undefined)[]): string {
  return parts
    .filter((part): part is string => part !== undefined && part !== "")
    .map((part) => part.replace(/\/+$/, ""))
    .filter((part) => part !== "")
    .join("/");
}

/**
 * The object key MLflow gives a logged file: `<prefix>/<artifactPath>/<relativePath>`, where
 * `relativePath` is the file name for a single file and the path under the uploaded directory
 * (with `/` separators) for a directory upload.
 *
 * @example
 * objectKey("1/abc/artifacts", "model", "model.pkl"); // "1/abc/artifacts/model/model.pkl"
 * objectKey("", undefined, "data/train.csv");          // "data/train.csv"
 */
export function objectKey(prefix: string, artifactPath: string | undefined, relativePath: string): string {
  return joinArtifactPath(prefix, artifactPath, relativePath);
}

function parseS3(uri: string): ArtifactLocation {
  const match = /^s3:\/\/([^/]*)\/?(.*)$/i.exec(uri);
  const bucket = match?.[1] ?? "";
  if (!match || bucket === "") {
    throw new UnsupportedArtifactStoreError("s3", `The artifact URI "${redactUrl(uri)}" has no bucket. Expected s3://<bucket>/<prefix>.`);
  }
  const prefix = (match[2] ?? "").replace(/\/+$/, "");
  return { kind: "s3", uri: `s3://${bucket}${prefix ? `/${prefix}` : ""}`, bucket, prefix };
}

/** `MlflowArtifactsRepository.resolve_uri`, returning the server root and the run's root. */
function parseMlflowArtifacts(uri: string, trackingUri: string | undefined): ArtifactLocation {
  const tracking = httpTrackingUrl(trackingUri);
  const match = /^mlflow-artifacts:(?:\/\/([^/]*))?(.*)$/i.exec(uri);
  const netloc = match?.[1] ?? "";
  const path = match?.[2] ?? "";
  if (/^\d+$/.test(netloc)) {
    throw new ConfigurationError(
      "artifact_uri",
      `The mlflow-artifacts URI "${uri}" has a port (${netloc}) but no host. Expected mlflow-artifacts://<host>:<port>/<path> or mlflow-artifacts:/<path>.`,
    );
  }
  const host = netloc.replace(/^.*@/, "") || tracking.host;
  const serverUrl = `${tracking.protocol}//${host}${tracking.pathname.replace(/\/+$/, "")}`;
  const root = path.replace(/\/{2,}/g, "/").replace(/^\/+|\/+$/g, "");
  return { kind: "proxy", uri, serverUrl, root };
}

function parseHttpProxy(uri: string): ArtifactLocation {
  const url = new URL(uri);
  url.username = "";
  url.password = "";
  const clean = `${url.origin}${url.pathname}`;
  const at = clean.indexOf(ARTIFACTS_SERVICE_PATH);
  const serverUrl = clean.slice(0, at);
  const root = decodeURIComponent(clean.slice(at + ARTIFACTS_SERVICE_PATH.length)).replace(/^\/+|\/+$/g, "");
  return { kind: "proxy", uri: redactUrl(uri), serverUrl, root };
}

function httpTrackingUrl(trackingUri: string | undefined): URL {
  const url = trackingUri === undefined ? undefined : safeUrl(trackingUri);
  if (url && (url.protocol === "http:" || url.protocol === "https:")) return url;
  throw new ConfigurationError(
    "MLFLOW_TRACKING_URI",
    `This run's artifacts are proxied by a tracking server (mlflow-artifacts:), so the tracking URI must be the server's http(s) URL; it is ${trackingUri === undefined ? "not set" : `"${redactUrl(trackingUri)}"`}. Fix: set MLFLOW_TRACKING_URI=http://<server>:5000.`,
  );
}

function safeUrl(text: string): URL | undefined {
  try {
    return new URL(text);
  } catch {
    return undefined;
  }
}

function fileUriToPath(uri: string): string {
  if (/^file:\/\//i.test(uri)) return fileURLToPath(uri);
  const path = decodeURIComponent(uri.replace(/^file:/i, ""));
  return isAbsolute(path) ? path : resolve(path);
}

const SCHEME_HINTS: Record<string, string> = {
  gs: "Google Cloud Storage",
  wasbs: "Azure Blob Storage",
  wasb: "Azure Blob Storage",
  abfss: "Azure Data Lake",
  dbfs: "Databricks",
  hdfs: "HDFS",
  runs: "a runs:/ model URI",
  models: "a models:/ registry URI",
  r2: "Cloudflare R2",
  b2: "Backblaze B2",
  oss: "Alibaba OSS",
  ftp: "FTP",
  sftp: "SFTP",
};

function unsupported(scheme: string, uri: string): UnsupportedArtifactStoreError {
  const what = SCHEME_HINTS[scheme] ? ` (${SCHEME_HINTS[scheme]})` : "";
  return new UnsupportedArtifactStoreError(
    scheme,
    `Unsupported artifact store "${scheme}:"${what} in artifact URI "${redactUrl(uri)}". mlflow-ts writes to s3://, mlflow-artifacts:/ (proxied by the tracking server) and file: locations. ` +
      "Fix: create the experiment with an s3:// artifact_location, or let the server proxy artifacts (mlflow server --serve-artifacts).",
  );
}
