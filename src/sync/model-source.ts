/**
 * Where a model version's files are, translated from the source store to the target: the version's
 * `source` names a run (`runs:/<run>/path`), a logged model (`models:/m-…`) or a location inside
 * the artifact location of its run or logged model; the copy must name the same files in the copies.
 */

/** Where a version's source points, in terms of the source store. */
export type SourceReference =
  | { kind: "run-uri"; runId: string; path: string }
  | { kind: "model-uri"; modelId: string }
  | { kind: "inside-run"; runId: string; path: string }
  | { kind: "inside-model"; modelId: string; path: string };

/** A run or logged model of the source, as far as sources are concerned. */
export interface SourceOwner {
  id: string;
  /** Its artifact location (a path, `file:` URI, `s3://…`, `mlflow-artifacts:/…`). */
  artifactUri: string;
}

/**
 * What a version's `source` refers to, given the version's run (if any) and the logged models it
 * may lie in (its own, or every candidate when the store does not record the version's model id,
 * as MLflow's SQL registry does not); `undefined` when it is none of the four kinds (then the
 * version cannot be copied).
 *
 * @example
 * classifySource("runs:/abc/model", undefined, []); // { kind: "run-uri", runId: "abc", path: "model" }
 * classifySource("/data/artifacts/1/abc/artifacts/model", { id: "abc", artifactUri: "/data/artifacts/1/abc/artifacts" }, []);
 * // { kind: "inside-run", runId: "abc", path: "model" }
 */
export function classifySource(source: string, run: SourceOwner | undefined, models: readonly SourceOwner[]): SourceReference | undefined {
  const runUri = /^runs:\/([^/]+)(?:\/(.*))?$/.exec(source);
  if (runUri) return { kind: "run-uri", runId: runUri[1]!, path: trimSlashes(runUri[2] ?? "") };
  const modelId = modelIdOfSource(source);
  if (modelId !== undefined) return { kind: "model-uri", modelId };
  if (run) {
    const path = pathInside(source, run.artifactUri);
    if (path !== undefined) return { kind: "inside-run", runId: run.id, path };
  }
  for (const model of models) {
    const path = pathInside(source, model.artifactUri);
    if (path !== undefined) return { kind: "inside-model", modelId: model.id, path };
  }
  return undefined;
}

/**
 * The source of the copy: `runs:/<target run>/path`, `models:/<target model>`, or the same relative
 * path inside the copy's artifact location.
 *
 * @param targetArtifactUri - The artifact location of the target run or model the reference names (for the `inside-*` kinds).
 * @example
 * targetSource({ kind: "run-uri", runId: "abc", path: "model" }, "def", undefined); // "runs:/def/model"
 */
export function targetSource(reference: SourceReference, targetId: string, targetArtifactUri: string | undefined): string {
  if (reference.kind === "run-uri") return reference.path === "" ? `runs:/${targetId}` : `runs:/${targetId}/${reference.path}`;
  if (reference.kind === "model-uri") return `models:/${targetId}`;
  const root = (targetArtifactUri ?? "").replace(/\/+$/, "");
  return reference.path === "" ? root : `${root}/${reference.path}`;
}

/**
 * Why a version's source cannot be copied, in words.
 * @example
 * untranslatableReason("models:/other/3"); // 'its source "models:/other/3" is not runs:/…, models:/m-… nor inside the artifact location of its run or logged model'
 */
export function untranslatableReason(source: string): string {
  return `its source "${source}" is not runs:/…, models:/m-… nor inside the artifact location of its run or logged model`;
}

/**
 * The logged model id a `models:/m-…` source names, or `undefined`.
 * @example
 * modelIdOfSource("models:/m-0123abcd"); // "m-0123abcd"
 */
export function modelIdOfSource(source: string): string | undefined {
  return /^models:\/(m-[0-9a-f]+)\/?$/.exec(source)?.[1];
}

/** The path of `uri` relative to `root` (`""` for the root itself), or `undefined` when it is not inside. */
function pathInside(uri: string, root: string): string | undefined {
  if (root === "") return undefined;
  const a = comparable(uri);
  const b = comparable(root);
  if (a === b) return "";
  return a.startsWith(`${b}/`) ? trimSlashes(a.slice(b.length + 1)) : undefined;
}

/** A location without `file://` (local paths are written both ways) and without trailing slashes. */
function comparable(uri: string): string {
  const local = /^file:\/\/(?:localhost)?(\/.*)$/i.exec(uri);
  return (local ? decodeURI(local[1]!) : uri).replace(/\/+$/, "");
}

function trimSlashes(path: string): string {
  return path.replace(/^\/+|\/+$/g, "");
}
