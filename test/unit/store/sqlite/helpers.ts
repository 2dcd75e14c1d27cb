/** Shared set-up of the embedded-store unit tests: temporary databases, clients, strict wire checks. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "vitest";
import type { z } from "zod";
import { MlflowClient } from "../../../../src/client/client.js";
import { ENDPOINTS, type EndpointName, type EndpointRequest } from "../../../../src/protocol/endpoints.js";
import { StoreContext } from "../../../../src/store/sqlite/engine/context.js";
import { openDatabase } from "../../../../src/store/sqlite/engine/database.js";
import { HANDLERS } from "../../../../src/store/sqlite/handlers.js";
import { openSqliteStore, type SqliteStore } from "../../../../src/store/sqlite/sqlite-store.js";

/** Environment that silences the first-use notice. */
export const QUIET = { MLFLOW_TS_QUIET_LOCAL_STORE: "true" } as const;

const dirs: string[] = [];

/** A fresh temporary folder, removed by {@link removeTempDirs}. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "mlflow-ts-sqlite-"));
  dirs.push(dir);
  return dir;
}

/** Removes every folder {@link tempDir} made. */
export function removeTempDirs(): void {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** A client on `<dir>/mlflow.db`, through the public tracking-URI path. */
export function sqliteClient(dir: string): MlflowClient {
  return new MlflowClient({ trackingUri: `sqlite:///${join(dir, "mlflow.db")}`, env: QUIET });
}

/** A store on `<dir>/mlflow.db` whose artifacts go under `<dir>/mlruns`. */
export function sqliteStore(dir: string, now?: () => number): Promise<SqliteStore> {
  return openSqliteStore(join(dir, "mlflow.db"), { quiet: true, defaultArtifactRoot: join(dir, "mlruns"), ...(now ? { now } : {}) });
}

/**
 * Runs one handler directly and returns its raw wire response, after checking it against the
 * endpoint's response schema with no unknown keys anywhere (zod alone would strip a misspelt field).
 */
export async function rawCall<N extends EndpointName>(dir: string, name: N, request: EndpointRequest<N>): Promise<unknown> {
  const db = await openDatabase(join(dir, "mlflow.db"));
  try {
    const handler = HANDLERS[name]!;
    const raw = await handler.run(new StoreContext(db, { defaultArtifactRoot: join(dir, "mlruns") }), request);
    const schema = ENDPOINTS[name].response as z.ZodType;
    expect(schema.safeParse(raw).success, `${name} response matches its schema`).toBe(true);
    expect(unknownKeys(schema, raw, name)).toEqual([]);
    return raw;
  } finally {
    db.close();
  }
}

/** Paths of keys in `value` that `schema` does not declare. */
export function unknownKeys(schema: z.ZodType, value: unknown, path: string): string[] {
  const def = (schema as unknown as { _zod: { def: Record<string, unknown> & { type: string } } })._zod.def;
  switch (def.type) {
    case "optional":
    case "default":
    case "nullable":
      return value === undefined || value === null ? [] : unknownKeys(def.innerType as z.ZodType, value, path);
    case "pipe":
      return unknownKeys(def.in as z.ZodType, value, path);
    case "array":
      return Array.isArray(value) ? value.flatMap((item, i) => unknownKeys(def.element as z.ZodType, item, `${path}[${i}]`)) : [];
    case "object": {
      const shape = def.shape as Record<string, z.ZodType>;
      const record = value as Record<string, unknown>;
      return Object.keys(record).flatMap((key) => (shape[key] ? unknownKeys(shape[key], record[key], `${path}.${key}`) : [`${path}.${key}`]));
    }
    default:
      return [];
  }
}
