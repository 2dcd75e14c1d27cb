/**
 * What `GET /api/3.0/mlflow/server-info` answers (MLflow 3.10+): the doctor reads it, and so will
 * capability detection. An entity of the protocol, so that its readers share one schema instead of
 * importing each other (it broke the cycle setup/context <-> setup/checks/server).
 */
import { z } from "zod";

/** @internal */
export const serverInfoSchema = z.looseObject({
  store_type: z.string().nullish(),
  workspaces_enabled: z.boolean().optional(),
  multipart_uploads_enabled: z.boolean().optional(),
});

/** What `/api/3.0/mlflow/server-info` says (MLflow 3.10+). */
export type ServerInfo = z.infer<typeof serverInfoSchema>;
