#!/usr/bin/env node
/** Entry point of the `mlflow-ts` command (the package's `bin`). */
import { runCli } from "./program.js";

process.exitCode = await runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: { ...process.env } });
