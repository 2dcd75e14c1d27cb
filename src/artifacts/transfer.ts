/**
 * Transfers of many files: which local files an upload covers and under which artifact paths,
 * files in parallel under a cap with one aggregated progress, and downloads of a file or a tree,
 * each streamed to a temporary file in the destination and renamed, never outside it. An entry
 * of a directory whose name is no safe artifact path is skipped, never aborting the others, and
 * reported once the rest is done ({@link IncompleteTransferError}).
 */
import { randomUUID } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdir, readdir, realpath, rename, rm, stat } from "node:fs/promises";
import { basename, dirname, join, relative, resolve, sep } from "node:path";
import { pipeline } from "node:stream/promises";
import { AbortError } from "../core/errors.js";
import type { ArtifactStore, TransferHooks, UploadSource } from "./artifact-store.js";
import { joinArtifactPath } from "./artifact-uri.js";
import { countingStream } from "./byte-streams.js";
import { ArtifactDownloadError, ArtifactNotFoundError, IncompleteTransferError, type SkippedArtifact, UnsafeArtifactPathError } from "./errors.js";
import { forEachLimited } from "./parallel.js";
import { checkArtifactPath } from "./path-safety.js";
import { ProgressTotals } from "./progress.js";
import type { DownloadOptions, UploadOptions, UploadResult } from "./types.js";

/** A local file and the artifact path it is uploaded to. */
export interface PlannedFile {
  path: string;
  size: number;
  artifactFile: string;
}

/** What an upload of a local path covers. */
export interface UploadPlan {
  /** Whether the local path is a directory. */
  directory: boolean;
  files: PlannedFile[];
  /** Files of the directory whose artifact path would be unsafe: they are not uploaded. */
  skipped: SkippedArtifact[];
}

/**
 * The files an upload of `localPath` covers: the file itself as `<artifactPath>/<name>`, or every
 * file under the directory as `<artifactPath>/<relative path>` (with `/` separators), as MLflow's
 * `log_artifact`/`log_artifacts` name them. Symbolic links to files are followed; links to
 * directories are not descended (as `os.walk`). Every artifact path is checked before anything is
 * sent; a file of the directory whose path is unsafe (e.g. a name with `#`) goes to `skipped`.
 *
 * @throws {UnsafeArtifactPathError} when the path of a single file (not a directory) is unsafe.
 * @example
 * await planUpload("out/model", "model");
 * // { directory: true, files: [{ path: "out/model/a.bin", size: 3, artifactFile: "model/a.bin" }, …] }
 */
export async function planUpload(localPath: string, artifactPath: string | undefined): Promise<UploadPlan> {
  const info = await stat(localPath);
  if (!info.isDirectory()) {
    const artifactFile = checkArtifactPath(joinArtifactPath(artifactPath, basename(localPath)), "artifactFile");
    return { directory: false, files: [{ path: localPath, size: info.size, artifactFile }], skipped: [] };
  }
  const files: PlannedFile[] = [];
  const skipped: SkippedArtifact[] = [];
  for await (const file of walk(localPath)) {
    const artifactFile = joinArtifactPath(artifactPath, relative(localPath, file.path).split(sep).join("/"));
    try {
      files.push({ ...file, artifactFile: checkArtifactPath(artifactFile, "artifactFile") });
    } catch (error) {
      skipped.push(skippedEntry(artifactFile, error));
    }
  }
  files.sort((a, b) => (a.artifactFile < b.artifactFile ? -1 : a.artifactFile > b.artifactFile ? 1 : 0));
  return { directory: true, files, skipped };
}

/** The entry a refusal skips; anything but an {@link UnsafeArtifactPathError} is rethrown. */
function skippedEntry(path: string, error: unknown): SkippedArtifact {
  if (!(error instanceof UnsafeArtifactPathError)) throw error;
  return { path, rule: error.rule, reason: error.message };
}

async function* walk(directory: string): AsyncGenerator<{ path: string; size: number }> {
  for (const entry of await readdir(directory, { withFileTypes: true })) {
    const full = join(directory, entry.name);
    if (entry.isDirectory()) {
      yield* walk(full);
      continue;
    }
    const info = await stat(full).catch(() => undefined);
    if (info?.isFile()) yield { path: full, size: info.size };
  }
}

/**
 * Uploads one source as `artifactFile`, reporting progress.
 * @internal
 */
export async function uploadOne(store: ArtifactStore, source: UploadSource, artifactFile: string, options: UploadOptions): Promise<UploadResult> {
  const total = source.kind === "file" ? source.size : source.kind === "bytes" ? source.data.byteLength : undefined;
  const progress = new ProgressTotals(total, options.onProgress);
  const bytes = await store.upload(source, artifactFile, { ...requestOptionsOf(options), onBytes: (loaded) => progress.update(artifactFile, loaded) });
  progress.complete(artifactFile, bytes);
  return { paths: [artifactFile], bytes };
}

/**
 * Uploads the files of a plan, `concurrency` at a time, with one aggregated progress. A file the
 * store refuses by its name (the proxy's `proxy-decodes`) is skipped like the plan's own skipped
 * files; any other failure cancels the files in flight, and every file settles before it is
 * thrown.
 *
 * @throws {IncompleteTransferError} after the rest was uploaded, when files were skipped.
 * @throws {AbortError} when `options.signal` fires.
 * @throws the first failure otherwise (an {@link ArtifactError} or an {@link MlflowApiError}).
 * @internal
 */
export async function uploadFiles(
  store: ArtifactStore,
  plan: Pick<UploadPlan, "files" | "skipped">,
  options: UploadOptions,
  defaultConcurrency: number,
): Promise<UploadResult> {
  const total = plan.files.reduce((sum, file) => sum + file.size, 0);
  const progress = new ProgressTotals(total, options.onProgress, plan.files.length);
  const skipped = [...plan.skipped];
  const uploaded = new Set<string>();
  let bytes = 0;
  const uploadFile = async (file: PlannedFile, signal: AbortSignal): Promise<void> => {
    const hooks: TransferHooks = { ...requestOptionsOf(options), signal, onBytes: (loaded) => progress.update(file.artifactFile, loaded) };
    try {
      const written = await store.upload({ kind: "file", path: file.path, size: file.size }, file.artifactFile, hooks);
      progress.complete(file.artifactFile, written);
      uploaded.add(file.artifactFile);
      bytes += written;
    } catch (error) {
      skipped.push(skippedEntry(file.artifactFile, error));
    }
  };
  try {
    await forEachLimited(plan.files, options.concurrency ?? defaultConcurrency, options.signal, uploadFile);
  } catch (error) {
    if (error instanceof AbortError) throw new AbortError(`Upload to ${store.location} was aborted`);
    throw error;
  }
  const paths = plan.files.filter((file) => uploaded.has(file.artifactFile)).map((file) => file.artifactFile);
  if (skipped.length > 0) throw new IncompleteTransferError({ operation: "upload", location: store.location, skipped, transferred: paths, bytes });
  return { paths, bytes };
}

/**
 * Uploads a local file as `<artifactPath>/<file name>`, or a directory recursively as
 * `<artifactPath>/<relative path>`, into `store` (what `client.artifacts.upload` and
 * `client.loggedModels.uploadArtifacts` do once they have the store).
 *
 * @throws {UnsafeArtifactPathError} before any request, for an unsafe `artifactPath` or file name.
 * @throws {IncompleteTransferError} after the rest was uploaded, when files of a directory were skipped.
 * @internal
 */
export async function uploadPath(
  store: ArtifactStore | (() => Promise<ArtifactStore>),
  localPath: string,
  options: UploadOptions,
  defaultConcurrency: number,
): Promise<UploadResult> {
  const artifactPath = options.artifactPath === undefined ? undefined : checkArtifactPath(options.artifactPath, "artifactPath", true);
  const plan = await planUpload(localPath, artifactPath);
  const target = typeof store === "function" ? await store() : store;
  const [file] = plan.files;
  if (!plan.directory && file) return uploadOne(target, { kind: "file", path: file.path, size: file.size }, file.artifactFile, options);
  return uploadFiles(target, plan, options, defaultConcurrency);
}

/**
 * Downloads `path` (a file or a directory; `""` for everything) into `destDir` as
 * `destDir/<path>`, as MLflow's `download_artifacts` does, and returns that local path.
 *
 * Every listed path is checked ({@link checkArtifactPath}) and must resolve inside `destDir`
 * (symbolic links included); an entry that fails (a listing that names `../../x`) is skipped and
 * the others are downloaded. Each file is streamed to a temporary file beside its target and
 * renamed once complete, so an interrupted download leaves no partial file.
 *
 * @throws {IncompleteTransferError} after the rest was downloaded, when entries were skipped.
 * @throws {ArtifactDownloadError} when a file is shorter than announced.
 * @throws {AbortError} when `options.signal` fires.
 * @internal
 */
export async function downloadTree(store: ArtifactStore, path: string, destDir: string, options: DownloadOptions, defaultConcurrency: number): Promise<string> {
  const root = resolve(destDir);
  await mkdir(root, { recursive: true });
  const skipped: SkippedArtifact[] = [];
  const files = await listFiles(store, path, options, skipped);
  const totals = new ProgressTotals(sumSizes(files), options.onProgress, files.length);
  const downloaded = new Set<string>();
  let bytes = 0;
  const downloadOne = async (file: { path: string }, signal: AbortSignal): Promise<void> => {
    try {
      bytes += await downloadFile(store, file.path, await containedTarget(root, file.path), { ...requestOptionsOf(options), signal }, totals);
      downloaded.add(file.path);
    } catch (error) {
      skipped.push(skippedEntry(file.path, error));
    }
  };
  try {
    await forEachLimited(files, options.concurrency ?? defaultConcurrency, options.signal, downloadOne);
  } catch (error) {
    if (error instanceof AbortError) throw new AbortError(`Download from ${store.location} was aborted`);
    throw error;
  }
  const localPath = path === "" ? root : join(root, ...path.split("/"));
  if (skipped.length > 0) {
    const transferred = files.filter((file) => downloaded.has(file.path)).map((file) => file.path);
    throw new IncompleteTransferError({ operation: "download", location: store.location, skipped, transferred, bytes, localPath });
  }
  return localPath;
}

/**
 * Every file under `path`, recursively; `path` itself when it names a file. A path that lists
 * nothing is looked up in its parent's listing first: MLflow's proxy answers a GET of a missing
 * artifact with a retryable HTTP 500, which would otherwise be retried for minutes.
 */
async function listFiles(store: ArtifactStore, path: string, options: DownloadOptions, skipped: SkippedArtifact[]): Promise<{ path: string; size?: number }[]> {
  const entries = await store.list(path, requestOptionsOf(options));
  if (entries.length === 0) return path === "" ? [] : [await findFile(store, path, options)];
  const files: { path: string; size?: number }[] = [];
  for (const entry of entries) {
    let child: string;
    try {
      child = checkArtifactPath(entry.path, "listed artifact path");
    } catch (error) {
      skipped.push(skippedEntry(entry.path, error));
      continue;
    }
    if (path !== "" && !child.startsWith(`${path}/`)) {
      skipped.push({
        path: child,
        rule: "outside-directory",
        reason: `the store listed "${child}" under "${path}", outside that directory. Fix: check the store's contents.`,
      });
      continue;
    }
    if (entry.is_dir) files.push(...(await listFiles(store, child, options, skipped)));
    else files.push({ path: child, size: entry.file_size });
  }
  return files;
}

async function findFile(store: ArtifactStore, path: string, options: DownloadOptions): Promise<{ path: string; size?: number }> {
  const parent = path.includes("/") ? path.slice(0, path.lastIndexOf("/")) : "";
  const entry = (await store.list(parent, requestOptionsOf(options))).find((candidate) => candidate.path === path);
  if (entry && !entry.is_dir) return { path, size: entry.file_size };
  throw new ArtifactNotFoundError(
    `Download of "${path}" failed: there is no such artifact in ${store.location}${entry ? " (it is an empty directory)" : ""}. Fix: list the run's artifacts to check the path.`,
    {
      operation: "download",
      location: `${store.location}/${path}`,
    },
  );
}

/**
 * The local target of an artifact; it must lie inside `root`, also after resolving symbolic links
 * (checked on the nearest existing folder before any folder is created, and again after).
 */
async function containedTarget(root: string, artifactFile: string): Promise<string> {
  const safe = checkArtifactPath(artifactFile, "listed artifact path");
  const target = resolve(root, ...safe.split("/"));
  if (!target.startsWith(root + sep)) throw outside(artifactFile);
  const realRoot = await realpath(root);
  const isInside = async (folder: string): Promise<boolean> => {
    const real = await realpath(folder);
    return real === realRoot || real.startsWith(realRoot + sep);
  };
  if (!(await isInside(await nearestExisting(dirname(target))))) throw outside(artifactFile);
  await mkdir(dirname(target), { recursive: true });
  if (!(await isInside(dirname(target)))) throw outside(artifactFile);
  return target;
}

async function nearestExisting(folder: string): Promise<string> {
  for (let current = folder; ; current = dirname(current)) {
    if (
      await stat(current).then(
        () => true,
        () => false,
      )
    )
      return current;
    if (dirname(current) === current) return current;
  }
}

function outside(artifactFile: string): UnsafeArtifactPathError {
  return new UnsafeArtifactPathError(
    "listed artifact path",
    "outside-destination",
    `The artifact "${artifactFile}" would be written outside the destination directory (a symbolic link in it points elsewhere); refused. Fix: remove the link from the destination.`,
  );
}

/** Streams one artifact to `target` through a temporary file; returns the bytes written. */
async function downloadFile(store: ArtifactStore, artifactFile: string, target: string, options: TransferHooks, totals: ProgressTotals): Promise<number> {
  const temporary = join(dirname(target), `.${basename(target)}.${randomUUID()}.part`);
  try {
    const { stream, size } = await store.open(artifactFile, options);
    let written = 0;
    const counted = countingStream(stream, (bytes) => {
      written = bytes;
      totals.update(artifactFile, bytes);
    });
    await pipeline(counted, createWriteStream(temporary), { signal: options.signal });
    if (size !== undefined && written !== size) {
      throw new ArtifactDownloadError(`Download of ${artifactFile} failed: ${written} of ${size} bytes arrived. Fix: download again.`, {
        operation: "download",
        location: `${store.location}/${artifactFile}`,
        code: "Truncated",
      });
    }
    await rename(temporary, target);
    totals.complete(artifactFile, written);
    return written;
  } catch (error) {
    await rm(temporary, { force: true });
    if (options.signal?.aborted) throw new AbortError(`Download of ${artifactFile} was aborted`);
    throw error;
  }
}

function sumSizes(files: { size?: number }[]): number | undefined {
  let total = 0;
  for (const file of files) {
    if (file.size === undefined) return undefined;
    total += file.size;
  }
  return total;
}

function requestOptionsOf(options: UploadOptions | DownloadOptions): TransferHooks {
  return { signal: options.signal, timeoutMs: options.timeoutMs, maxRetries: options.maxRetries, deadlineMs: options.deadlineMs, headers: options.headers };
}
