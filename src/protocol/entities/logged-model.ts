/** MLflow 3 logged models (wire names). */
import { z } from "zod";
import { int64 } from "../../core/wire.js";
import { keyValueSchema, metricSchema } from "./tracking.js";

/** Statuses of a logged model, as MLflow's `LoggedModelStatus` enum names them. */
export const loggedModelStatusSchema = z.enum(["LOGGED_MODEL_STATUS_UNSPECIFIED", "LOGGED_MODEL_PENDING", "LOGGED_MODEL_READY", "LOGGED_MODEL_UPLOAD_FAILED"]);
/** Status of a logged model: PENDING while its files upload, then READY or UPLOAD_FAILED. */
export type LoggedModelStatus = z.infer<typeof loggedModelStatusSchema>;

/** LoggedModel schema. */
export const loggedModelSchema = z.object({
  info: z.object({
    model_id: z.string(),
    experiment_id: z.string(),
    name: z.string().default(""),
    creation_timestamp_ms: int64.optional(),
    last_updated_timestamp_ms: int64.optional(),
    artifact_uri: z.string().default(""),
    status: loggedModelStatusSchema.optional(),
    /** int64 in the proto (a user id), read as a number. */
    creator_id: int64.optional(),
    model_type: z.string().optional(),
    source_run_id: z.string().optional(),
    status_message: z.string().optional(),
    tags: z.array(keyValueSchema).default([]),
    registrations: z.array(z.object({ name: z.string(), version: z.string() })).default([]),
  }),
  data: z.object({ params: z.array(keyValueSchema).default([]), metrics: z.array(metricSchema).default([]) }).default({ params: [], metrics: [] }),
});
/** A logged model: info (id `m-…`, status, artifact URI, tags) and data (params, metrics). */
export type LoggedModel = z.infer<typeof loggedModelSchema>;
