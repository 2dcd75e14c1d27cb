/**
 * The literal unions of the public types (error codes, run statuses, lifecycle stages, logged-model
 * and model-version statuses, stages, webhook statuses) are exactly the pinned MLflow's enums: each
 * is one list in src (a zod enum or the error-code table), compared here with the names the Python
 * package's protos define.
 */
import { describe, expect, it } from "vitest";
import { ERROR_CODES } from "../../src/core/error-codes.js";
import { loggedModelStatusSchema } from "../../src/protocol/entities/logged-model.js";
import { modelStageSchema, modelVersionStatusSchema } from "../../src/protocol/entities/registry.js";
import { lifecycleStageSchema, runStatusSchema } from "../../src/protocol/entities/tracking.js";
import { webhookStatusSchema } from "../../src/protocol/entities/webhook.js";
import { runPython } from "../integration/support/python.js";

interface PythonEnums {
  error_codes: string[];
  run_statuses: string[];
  lifecycle_stages: string[];
  logged_model_statuses: string[];
  model_version_statuses: string[];
  model_stages: string[];
  webhook_statuses: string[];
}

describe("literal unions against the pinned MLflow's enums", () => {
  it("lists the same names, in the same order", async () => {
    const python = await runPython<PythonEnums>("test/conformance/python/enums.py", {});
    expect({
      error_codes: [...ERROR_CODES],
      run_statuses: runStatusSchema.options,
      lifecycle_stages: lifecycleStageSchema.options,
      logged_model_statuses: loggedModelStatusSchema.options,
      model_version_statuses: modelVersionStatusSchema.options,
      model_stages: modelStageSchema.options,
      webhook_statuses: webhookStatusSchema.options,
    }).toEqual(python);
  });
});
