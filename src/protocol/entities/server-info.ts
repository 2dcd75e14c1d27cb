/**
 * What `GET /api/3.0/mlflow/server-info` answers (MLflow 3.10+): the doctor reads it, and so will
 * capability detection. An entity of the protocol, so that its readers share one schema instead of
 * importing each other (it broke the cycle setup/context <-> setup/checks/server).
 */
import { z } from "zod";

/** What `/api/3.0/mlflow/server-info` says (MLflow 3.10+); fields a newer server adds are kept. */
export interface ServerInfo {
  /** The tracking store's kind, e.g. `"SqlStore"`. */
  store_type?: string | null | undefined;
  /** Whether the server runs with workspaces (`MLFLOW_WORKSPACE`). */
  workspaces_enabled?: boolean | undefined;
  /** Whether proxied artifact uploads may use the multipart routes. */
  multipart_uploads_enabled?: boolean | undefined;
  /** Whether the server refuses proxied artifact bytes and serves presigned URLs only (MLflow 3.18+, `--artifacts-presigned-only`). */
  artifacts_presigned_only?: boolean | undefined;
  [field: string]: unknown;
}

/** @internal */
export const serverInfoSchema: z.ZodType<ServerInfo> = z.looseObject({
  store_type: z.string().nullish(),
  workspaces_enabled: z.boolean().optional(),
  multipart_uploads_enabled: z.boolean().optional(),
  artifacts_presigned_only: z.boolean().optional(),
});
