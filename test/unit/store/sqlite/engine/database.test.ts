/**
 * Errors of the embedded store are the REST store's classes with MLflow's codes and statuses, and
 * a missing better-sqlite3 is a configuration error that says how to fix it.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { AlreadyExistsError, ConfigurationError, InvalidParameterError, NotFoundError, ServerError, ValidationError } from "../../../../../src/core/errors.js";
import { alreadyExists, invalidParameter, notFound, toStoreError } from "../../../../../src/store/sqlite/engine/errors.js";

afterEach(() => {
  vi.doUnmock("better-sqlite3");
  vi.resetModules();
});

describe("embedded store errors", () => {
  it("map MLflow's codes to the REST store's classes, statuses and a sqlite: endpoint", () => {
    expect(toStoreError("runs.get", notFound("Run with id=x not found"))).toMatchObject({
      constructor: NotFoundError,
      errorCode: "RESOURCE_DOES_NOT_EXIST",
      status: 404,
      method: "LOCAL",
      endpoint: "sqlite:runs.get",
      serverMessage: "Run with id=x not found",
      retryable: false,
    });
    expect(toStoreError("experiments.create", alreadyExists("taken"))).toMatchObject({ constructor: AlreadyExistsError, status: 400 });
    expect(toStoreError("runs.logBatch", invalidParameter("bad"))).toMatchObject({ constructor: InvalidParameterError, errorCode: "INVALID_PARAMETER_VALUE" });
    expect(toStoreError("runs.logBatch", new ValidationError("k", "key-path", "The metric key is bad"))).toMatchObject({
      constructor: InvalidParameterError,
      serverMessage: "The metric key is bad",
    });
  });

  it("turn a locked database into a retryable TEMPORARILY_UNAVAILABLE (503), and constraint failures into BAD_REQUEST", () => {
    const busy = Object.assign(new Error("database is locked"), { code: "SQLITE_BUSY" });
    expect(toStoreError("runs.logBatch", busy)).toMatchObject({ constructor: ServerError, errorCode: "TEMPORARILY_UNAVAILABLE", status: 503, retryable: true });
    const unique = Object.assign(new Error("UNIQUE constraint failed"), { code: "SQLITE_CONSTRAINT_UNIQUE" });
    expect(toStoreError("experiments.update", unique)).toMatchObject({ constructor: InvalidParameterError, errorCode: "BAD_REQUEST", status: 400 });
    const io = Object.assign(new Error("disk I/O error"), { code: "SQLITE_IOERR" });
    expect(toStoreError("runs.get", io)).toMatchObject({ errorCode: "INTERNAL_ERROR", status: 500, retryable: false });
  });

  it("say how to install better-sqlite3 when it does not load", async () => {
    vi.doMock("better-sqlite3", () => {
      throw new Error("Cannot find module 'better-sqlite3'");
    });
    const { openDatabase } = await import("../../../../../src/store/sqlite/engine/database.js");
    const error = await openDatabase("/tmp/never.db").catch((e: unknown) => e);
    // resetModules gave the store its own copy of the error classes: match by name.
    expect(error).toMatchObject({ name: ConfigurationError.name, key: "MLFLOW_TRACKING_URI" });
    expect((error as Error).message).toMatch(/npm install better-sqlite3@12.*MLFLOW_TRACKING_URI/);
  });
});
