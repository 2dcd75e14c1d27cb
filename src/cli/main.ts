#!/usr/bin/env node
/** Entry point of the `mlflow-ts` command (the package's `bin`). */
import { runCli } from "./program.js";

// The AWS SDK warns on every run under Node 20 about its own future releases; nothing a user of
// this command can act on. Set the variable to "false" to see the warning again.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

process.exitCode = await runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: { ...process.env } });
