/**
 * The local store, for `file:` artifact URIs (the embedded store, or a server that shares this
 * file system): uploads are file copies, written to a temporary name and renamed.
 */
import { randomUUID } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, readdir, rename, rm, stat } from "node:fs/promises";
import { dirname, join, relative, resolve, sep } from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { messageOf } from "../core/error-text.js";
import { AbortError } from "../core/errors.js";
import type { RequestOptions } from "../core/http/transport.js";
import type { FileInfo } from "../protocol/entities/tracking.js";
import type { ArtifactReadStream, ArtifactStore, TransferHooks, UploadSource } from "./artifact-store.js";
import { countingStream, sliceStream } from "./byte-streams.js";
import { ArtifactError, ArtifactNotFoundError } from "./errors.js";

/**
 * Artifacts of one run in a local directory.
 *
 * @example
 * const store = new LocalArtifactStore("/srv/mlruns/1/abc/artifacts");
 * await store.upload({ kind: "file", path: "model.onnx", size: 1234 }, "model/model.onnx", {});
 * @internal
 */
export class LocalArtifactStore implements ArtifactStore {
  readonly location: string;
  readonly #root: string;

  constructor(directory: string) {
    this.#root = resolve(directory);
    this.location = `file://${this.#root}`;
  }

  async upload(source: UploadSource, artifactFile: string, hooks: TransferHooks): Promise<number> {
    const target = this.#resolve(artifactFile);
    await mkdir(dirname(target), { recursive: true });
    const temporary = `${target}.${randomUUID()}.part`;
    let written = 0;
    const onBytes = (bytes: number): void => {
      written = bytes;
      hooks.onBytes?.(bytes);
    };
    try {
      await pipeline(readerOf(source, onBytes), createWriteStream(temporary), { signal: hooks.signal });
      await rename(temporary, target);
      return written;
    } catch (error) {
      await rm(temporary, { force: true });
      if (hooks.signal?.aborted) throw new AbortError(`Upload of ${artifactFile} was aborted`);
      throw new ArtifactError(`Upload of ${artifactFile} to ${this.location} failed: ${messageOf(error)}`, {
        operation: "upload",
        location: target,
        cause: error,
      });
    }
  }

  async list(path: string, _options: RequestOptions): Promise<FileInfo[]> {
    const directory = this.#resolve(path);
    const entries = await readdir(directory, { withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT" || error.code === "ENOTDIR") return [];
      throw error;
    });
    const infos: FileInfo[] = [];
    for (const entry of entries) {
      const full = join(directory, entry.name);
      const info = await stat(full);
      const artifactPath = relative(this.#root, full).split(sep).join("/");
      infos.push(info.isDirectory() ? { path: artifactPath, is_dir: true } : { path: artifactPath, is_dir: false, file_size: info.size });
    }
    return infos.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  async open(artifactFile: string, _options: RequestOptions): Promise<ArtifactReadStream> {
    const file = this.#resolve(artifactFile);
    const info = await stat(file).catch(() => undefined);
    if (!info?.isFile()) {
      throw new ArtifactNotFoundError(`Download of ${artifactFile} failed: ${file} is not a file.`, { operation: "download", location: file });
    }
    return { stream: createReadStream(file), size: info.size };
  }

  async delete(path: string, _options: RequestOptions): Promise<void> {
    await rm(this.#resolve(path), { recursive: true, force: true });
  }

  /** The absolute path of an artifact; refuses anything that would leave the root. */
  #resolve(artifactPath: string): string {
    const full = resolve(this.#root, ...artifactPath.split("/").filter(Boolean));
    if (full === this.#root || full.startsWith(this.#root + sep)) return full;
    throw new ArtifactError(`The artifact path "${artifactPath}" resolves outside ${this.location}; refused.`, {
      operation: "upload",
      location: this.location,
    });
  }
}

function readerOf(source: UploadSource, onBytes: (bytes: number) => void): Readable {
  if (source.kind === "bytes") return sliceStream(source.data, onBytes);
  if (source.kind === "stream") return countingStream(source.stream, onBytes);
  return countingStream(createReadStream(source.path), onBytes);
}
