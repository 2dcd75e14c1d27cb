/** Run artifacts: listing through the tracking API (uploads and downloads arrive with the artifact stores). */
import { APIResource } from "../core/resource.js";
import type { RequestOptions } from "../core/transport.js";
import type { FileInfo } from "../entities/tracking.js";
import { validateRunId } from "../validation.js";

/**
 * `client.artifacts`.
 *
 * @example
 * const files = await client.artifacts.list(runId, "model");
 */
export class Artifacts extends APIResource {
  /**
   * Lists the artifacts of a run under `path` (the root when omitted), as the server sees them.
   * Paths in the result are relative to the run's artifact root; a path naming a file lists nothing.
   */
  async list(runId: string, path?: string, options?: RequestOptions): Promise<FileInfo[]> {
    validateRunId(runId);
    return (await this.store.call("artifacts.list", { run_id: runId, path }, options)).files;
  }
}
