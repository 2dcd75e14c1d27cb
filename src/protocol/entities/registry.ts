/** Model registry entities (wire names, int64 as numbers, omitted lists as `[]`). */
import { z } from "zod";
import { int64 } from "../../core/wire.js";
import { keyValueSchema, metricSchema } from "./tracking.js";

/** Model version stages (deprecated by MLflow in favour of aliases), as the server spells them. */
export const modelStageSchema = z.enum(["None", "Staging", "Production", "Archived"]);
/** Model version stages (deprecated by MLflow in favour of aliases). */
export type ModelStage = z.infer<typeof modelStageSchema>;

/** Registration states of a model version (`ModelVersionStatus`). */
export const modelVersionStatusSchema = z.enum(["PENDING_REGISTRATION", "FAILED_REGISTRATION", "READY"]);
/** Registration state of a model version: READY once its files are registered. */
export type ModelVersionStatus = z.infer<typeof modelVersionStatusSchema>;

/** Registered-model alias `{alias, version}`. */
export const registeredModelAliasSchema = z.object({ alias: z.string(), version: z.string() });
/** An alias pointing at a model version. */
export type RegisteredModelAlias = z.infer<typeof registeredModelAliasSchema>;

/** ModelVersion schema. */
export const modelVersionSchema = z.object({
  name: z.string(),
  version: z.string(),
  creation_timestamp: int64.optional(),
  last_updated_timestamp: int64.optional(),
  user_id: z.string().optional(),
  current_stage: modelStageSchema.optional(),
  description: z.string().optional(),
  source: z.string().optional(),
  run_id: z.string().optional(),
  status: modelVersionStatusSchema.optional(),
  status_message: z.string().optional(),
  tags: z.array(keyValueSchema).default([]),
  run_link: z.string().optional(),
  aliases: z.array(z.string()).default([]),
  model_id: z.string().optional(),
  /** Params of the MLflow 3 logged model behind this version (`{name, value}`). */
  model_params: z.array(z.object({ name: z.string(), value: z.string().default("") })).default([]),
  /** Metrics of the MLflow 3 logged model behind this version. */
  model_metrics: z.array(metricSchema).default([]),
});
/** A registered model version; `version` is a string. */
export type ModelVersion = z.infer<typeof modelVersionSchema>;

/** RegisteredModel schema. */
export const registeredModelSchema = z.object({
  name: z.string(),
  creation_timestamp: int64.optional(),
  last_updated_timestamp: int64.optional(),
  user_id: z.string().optional(),
  description: z.string().optional(),
  latest_versions: z.array(modelVersionSchema).default([]),
  tags: z.array(keyValueSchema).default([]),
  aliases: z.array(registeredModelAliasSchema).default([]),
});
/** A registered model with its tags, aliases and latest version per stage. */
export type RegisteredModel = z.infer<typeof registeredModelSchema>;
