/**
 * The two places the SDK writes to the process environment, kept beside the one reader (env.ts)
 * so that nothing else in src/ touches `process.env`: the AWS SDK's switch for its Node.js-version
 * notice, which the SDK reads from `process.env` itself (configuration cannot pass it), and
 * `MLFLOW_RUN_ID`, which is removed once a run resumed from it, as the Python client does.
 */

/**
 * The AWS SDK's switch for its Node.js-version notice. Under Node < 22 the SDK prints an eight-line
 * `NodeVersionSupportWarning` (about its releases of 2027) through `process.emitWarning` the first
 * time a process builds a client — into every training script's log, about nothing its user can act
 * on here. The SDK reads this variable, its documented off switch (aws/aws-sdk-js-v3#7983), while
 * the client is constructed, then never again.
 */
const NODE_VERSION_NOTICE_SWITCH = "AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED";

/**
 * Runs `create` (an S3 client's constructor) with the SDK's Node-version notice switched off: the
 * variable is set only for that synchronous call and removed after it, so no other code sees it,
 * and every other warning of the process (the user's own `process.emitWarning` included) prints as
 * before. A value the user set — `false` to see the notice — is left alone.
 *
 * @example
 * const s3 = withoutAwsNodeVersionNotice(() => new S3Client({ region: "us-east-1" }));
 * @internal
 */
export function withoutAwsNodeVersionNotice<T>(create: () => T): T {
  // The AWS SDK reads this switch from process.env itself, so configuration cannot pass it.
  const processEnv = process.env;
  if (processEnv[NODE_VERSION_NOTICE_SWITCH] !== undefined) return create();
  processEnv[NODE_VERSION_NOTICE_SWITCH] = "true";
  try {
    return create();
  } finally {
    delete processEnv[NODE_VERSION_NOTICE_SWITCH];
  }
}

/**
 * Removes `MLFLOW_RUN_ID` from the process environment when it still names `runId`: once a run was
 * resumed from it, a child process started later must not resume the same run (as Python does).
 *
 * @example
 * forgetRunIdEnv(runId);
 * @internal
 */
export function forgetRunIdEnv(runId: string): void {
  if (process.env.MLFLOW_RUN_ID === runId) delete process.env.MLFLOW_RUN_ID;
}
