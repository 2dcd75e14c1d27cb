/**
 * The AWS SDK's eight-line Node.js-version notice stays out of a library user's stderr: a process
 * that builds the S3 client prints none of it, while the user's own warnings still print and the
 * SDK's switch variable is not left behind. A user who sets the switch to `false` gets the notice.
 * (The SDK prints the notice only under Node.js < 22: on a newer Node the first case cannot tell
 * the difference, the second then expects nothing.)
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), "mlflow-ts-s3-notice-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const NOTICE = "NodeVersionSupportWarning";
const NOTICE_SHOWN_BY_THIS_NODE = Number(process.versions.node.split(".")[0]) < 22;

/** Builds the S3 client in a fresh process, then emits a warning of its own; returns its output. */
async function buildS3Client(switchValue: string | undefined): Promise<{ stdout: string; stderr: string }> {
  const script = join(dir, "s3-client.mts");
  writeFileSync(
    script,
    `import { createS3Client } from ${JSON.stringify(resolve("src/artifacts/s3/s3-client.ts"))};
import { resolveConfig } from ${JSON.stringify(resolve("src/config/resolve.ts"))};
createS3Client(resolveConfig({ trackingUri: "http://127.0.0.1:9", s3: { endpointUrl: "http://127.0.0.1:9" }, env: {} }));
process.emitWarning("the user's own warning");
await new Promise((resolve) => setImmediate(resolve));
console.log(JSON.stringify({ switch: process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ?? null }));
`,
  );
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH ?? "", HOME: dir };
  if (switchValue !== undefined) env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = switchValue;
  return run(resolve("node_modules/.bin/tsx"), [script], { env, timeout: 60_000 });
}

describe("the AWS SDK's Node.js-version notice", () => {
  it("is not printed when mlflow-ts builds its S3 client; the user's own warnings are, and the switch is not left set", async () => {
    const { stdout, stderr } = await buildS3Client(undefined);
    expect(stderr).not.toContain(NOTICE);
    expect(stderr).toContain("Warning: the user's own warning");
    expect(JSON.parse(stdout.trim())).toEqual({ switch: null });
  }, 90_000);

  it("is printed when the user asks for it with AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=false", async () => {
    const { stdout, stderr } = await buildS3Client("false");
    if (NOTICE_SHOWN_BY_THIS_NODE) expect(stderr).toContain(NOTICE);
    else expect(stderr).not.toContain(NOTICE);
    expect(stderr).toContain("Warning: the user's own warning");
    expect(JSON.parse(stdout.trim())).toEqual({ switch: "false" });
  }, 90_000);
});
