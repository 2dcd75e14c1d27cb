/**
 * Credentials that change, on the real stack: a logger run against the basic-auth server through
 * a gate that accepts only current bearer tokens from a loopback OAuth2 endpoint (4-second tokens,
 * every token revoked every 7 s, as a key rotation would), with `oauth2ClientCredentials` as the
 * client's auth. No 401 reaches the user and every point is in PostgreSQL exactly once. The run
 * lasts 30 s; `MLFLOW_TS_AUTH_ROTATION_SECONDS=120` runs the 2-minute version of issue #17.
 * A proxied artifact upload carries the same provider's token, and a 401 on it is replayed.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inspect } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { oauth2ClientCredentials } from "../../src/auth.js";
import type { BatchDeliveryError } from "../../src/index.js";
import { startRun } from "../../src/logging/fluent.js";
import { type BearerGate, startBearerGate, startTokenEndpoint, type TokenEndpoint } from "./support/bearer-gate.js";
import { runPython } from "./support/python.js";
import { serverUri, stackClient, stackClientEnv, stackEnv, uniqueName } from "./support/stack.js";

/** How long the logging run lasts: 30 s in CI, `MLFLOW_TS_AUTH_ROTATION_SECONDS` (e.g. 120) on demand. */
const RUN_MS = Number(process.env.MLFLOW_TS_AUTH_ROTATION_SECONDS ?? "30") * 1000;
const TOKEN_LIFETIME_MS = 4_000;
const REVOKE_EVERY_MS = 7_000;
const KEYS = ["loss", "accuracy", "lr", "grad_norm", "throughput"];
/** Bound of the logging loop whatever the clock does. */
const MAX_STEPS = 100_000;
const CLIENT_ID = "training-jobs";
const CLIENT_SECRET = `client-secret-${Date.now().toString(36)}-rotation`;

interface RunRows {
  status: string;
  metrics: Record<string, number>;
  params: Record<string, string>;
  steps: Record<string, number[]>;
}

const admin = stackClient("auth");
let idp: TokenEndpoint;
let experimentId: string;
const scratch = mkdtempSync(join(tmpdir(), "mlflow-ts-auth-rotation-"));

beforeAll(async () => {
  idp = await startTokenEndpoint({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, lifetimeMs: TOKEN_LIFETIME_MS });
  experimentId = await admin.experiments.create({ name: uniqueName("auth-rotation") });
});

afterAll(async () => {
  await admin.close();
  await idp.close();
  rmSync(scratch, { recursive: true, force: true });
});

function provider() {
  return oauth2ClientCredentials({ tokenUrl: idp.url, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, scope: "mlflow" });
}

/** The auth server's admin as a Basic header: what the gate sends upstream for a current token. */
function adminBasic(): string {
  return `Basic ${Buffer.from(`${stackEnv("STACK_AUTH_ADMIN_USER")}:${stackEnv("STACK_AUTH_ADMIN_PASSWORD")}`).toString("base64")}`;
}

describe("tokens that rotate during a logging run", () => {
  it(
    `no 401 reaches the user and every point is in PostgreSQL exactly once (${RUN_MS / 1000} s run)`,
    async () => {
      const gate: BearerGate = await startBearerGate(serverUri("auth"), idp, { upstreamAuthorization: adminBasic() });
      const errors: BatchDeliveryError[] = [];
      const revoker = setInterval(() => idp.revokeAll(), REVOKE_EVERY_MS);
      try {
        const run = await startRun({
          client: { trackingUri: gate.url, auth: provider(), env: stackClientEnv(gate.url), backoffFactorMs: 50, backoffJitterMs: 10 },
          experimentId,
          runName: "rotation",
        });
        run.on("error", (error) => errors.push(error));
        const endAtMs = Date.now() + RUN_MS;
        let steps = 0;
        for (; steps < MAX_STEPS && Date.now() < endAtMs; steps++) {
          for (const key of KEYS) run.logMetric(key, steps * 0.001 + key.length, { step: steps });
          if (steps % 500 === 0) run.logParams({ [`checkpoint_${steps / 500}`]: String(steps) });
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
        await run.end();
        const stats = run.stats();
        const rows = await runPython<RunRows>("test/integration/run-rows.py", { run_id: run.runId, pg_uri: stackEnv("STACK_PG_AUTH_URI"), steps: true });

        expect(errors.map((e) => e.message)).toEqual([]);
        expect(stats.failed).toBe(0);
        expect(rows.status).toBe("FINISHED");
        const expectedSteps = Array.from({ length: steps }, (_, i) => i);
        for (const key of KEYS) expect(rows.steps[key], key).toEqual(expectedSteps);
        expect(Object.keys(rows.params)).toHaveLength(Math.ceil(steps / 500));
        // The rotation happened: many tokens were issued, and the gate refused some requests (each
        // replayed once with a fresh token, as nothing failed).
        expect(idp.issued).toBeGreaterThanOrEqual(Math.floor(RUN_MS / TOKEN_LIFETIME_MS));
        expect(gate.unauthorized).toBeGreaterThan(0);
        expect(idp.refused).toBe(0);
        console.log(
          `auth rotation: ${RUN_MS / 1000} s, ${steps} steps × ${KEYS.length} keys, ${stats.requests} log-batch requests, ${idp.issued} tokens issued, ${gate.unauthorized} requests refused with 401 and replayed, ${gate.forwarded} forwarded`,
        );
      } finally {
        clearInterval(revoker);
        await gate.close();
      }
    },
    RUN_MS + 120_000,
  );

  it("a proxied artifact upload carries the provider's token; refused after a revocation, it is replayed with a new one", async () => {
    // Tokens that outlive the test: only the revocation can make the upload's token stale (with the
    // 4 s tokens a slow run creation on a loaded machine let the provider refresh first: no 401, seen on 2.22.5).
    const longIdp = await startTokenEndpoint({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, lifetimeMs: 600_000 });
    const gate = await startBearerGate(serverUri("proxied"), longIdp);
    const file = join(scratch, "weights.bin");
    writeFileSync(file, "model weights ".repeat(1000));
    try {
      const run = await startRun({
        client: {
          trackingUri: gate.url,
          auth: oauth2ClientCredentials({ tokenUrl: longIdp.url, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, scope: "mlflow" }),
          env: stackClientEnv(gate.url),
        },
        experimentName: uniqueName("auth-rotation-proxied"),
      });
      longIdp.revokeAll(); // the token the run was created with is refused from now on
      const refusedBefore = gate.unauthorized;
      await run.logArtifact(file, { artifactPath: "model" });
      expect(gate.unauthorized).toBeGreaterThan(refusedBefore);
      await run.end();
      const client = stackClient("proxied");
      try {
        const listed = await client.artifacts.list(run.runId, "model");
        expect(listed.map((f) => [f.path, f.file_size])).toEqual([["model/weights.bin", 14_000]]);
      } finally {
        await client.close();
      }
    } finally {
      await gate.close();
      await longIdp.close();
    }
  });

  it("a wrong client secret fails with an AuthProviderError that shows neither the secret nor a token", async () => {
    const gate = await startBearerGate(serverUri("auth"), idp);
    const wrong = `wrong-secret-${Date.now().toString(36)}-xyz`;
    const client = stackClient("auth", {
      trackingUri: gate.url,
      auth: oauth2ClientCredentials({ tokenUrl: idp.url, clientId: CLIENT_ID, clientSecret: wrong }),
      maxRetries: 2,
    });
    try {
      const error = await client.experiments.get(experimentId).catch((e: unknown) => e);
      expect((error as Error).name).toBe("AuthProviderError");
      expect((error as Error).message).toContain("the token endpoint answered HTTP 401 (invalid_client)");
      const text = `${String(error)}\n${(error as Error).stack}\n${JSON.stringify(error)}\n${inspect(error, { depth: 8 })}`;
      for (let i = 0; i + 8 <= wrong.length; i++) expect(text).not.toContain(wrong.slice(i, i + 8));
      expect(gate.forwarded + gate.unauthorized).toBe(0);
    } finally {
      await client.close();
      await gate.close();
    }
  });
});
