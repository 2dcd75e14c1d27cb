/** MLflow workspaces (MLflow 3.10+, `mlflow server --enable-workspaces`): the entity as the workspace API sends it. */
import { z } from "zod";

/** How `workspaces/{name}` DELETE treats what the workspace holds (`WorkspaceDeletionMode`). */
export const workspaceDeletionModeSchema = z.enum(["RESTRICT", "CASCADE", "SET_DEFAULT"]);
/**
 * `RESTRICT` (the server's default): refuse while the workspace holds experiments or models;
 * `CASCADE`: delete them with it; `SET_DEFAULT`: move them to the `default` workspace.
 */
export type WorkspaceDeletionMode = z.infer<typeof workspaceDeletionModeSchema>;

/** Trace archival settings of a workspace (`TraceArchivalConfig`). */
export const traceArchivalConfigSchema = z.object({
  /** Archival repository root override. */
  location: z.string().optional(),
  /** Retention override, `<int><unit>`, e.g. `30d`. */
  retention: z.string().optional(),
});

/** Schema of a {@link Workspace} as the server sends it. @internal */
export const workspaceSchema = z.object({
  name: z.string(),
  description: z.string().optional(),
  default_artifact_root: z.string().optional(),
  trace_archival_config: traceArchivalConfigSchema.optional(),
});

/** A workspace: its name, description and artifact root override (wire names). */
export type Workspace = z.infer<typeof workspaceSchema>;
