/**
 * The examples run against the real stack (direct server, artifacts to S3) as a user runs them
 * (`npx tsx examples/<name>.ts` with the stack's environment), exit 0 and print what they promise:
 * so that they cannot rot.
 */
import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { resolve } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { serverUri, stackClientEnv } from "./support/stack.js";

const run = promisify(execFile);
const TSX = resolve("node_modules/.bin/tsx");

async function runExample(name: string, env: Record<string, string> = {}): Promise<string> {
  const childEnv = {
    PATH: process.env.PATH ?? "",
    ...stackClientEnv(serverUri("direct")),
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
    MLFLOW_EXPERIMENT_NAME: `example-${name}-${randomUUID()}`,
    ...env,
  };
  const { stdout } = await run(TSX, [resolve(`examples/${name}.ts`)], { env: childEnv, timeout: 120_000, maxBuffer: 16 * 1024 * 1024 });
  return stdout;
}

describe("examples against the real stack", () => {
  it("model-registry.ts: logs a model, registers it and finds it by alias", async () => {
    const out = await runExample("model-registry", { MODEL_NAME: `example-model-${randomUUID()}` });
    expect(out).toMatch(/^logged model m-[0-9a-f]{32}: 2 files, \d+ bytes$/m);
    expect(out).toMatch(/^registered example-model-\S+ version 1 as @champion$/m);
    expect(out).toMatch(/^@champion is version 1 \(run [0-9a-f]{32}\); files at s3:\/\/\S+\/models\/m-[0-9a-f]{32}\/artifacts/m);
  }, 150_000);

  it("training-loop.ts: five epochs delivered, nothing failed", async () => {
    const out = await runExample("training-loop");
    expect(out).toMatch(/^run [0-9a-f]{32} in experiment \d+$/m);
    expect(out).toMatch(/^epoch 4: \{.*"failed":0/m);
  }, 150_000);

  it("upload-artifacts.ts: uploads, lists, downloads and aborts cleanly", async () => {
    const out = await runExample("upload-artifacts");
    expect(out).toContain("upload aborted, nothing left behind");
  }, 150_000);

  it("ci-check.ts: every check passes on a healthy stack", async () => {
    const out = await runExample("ci-check");
    expect(out).toMatch(/Nothing failed\.$/m);
  }, 150_000);
});
