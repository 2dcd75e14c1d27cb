#!/usr/bin/env node
/** Entry point of the `mlflow-ts` command (the package's `bin`). */
import { exitQuietlyOnBrokenPipe } from "./output/broken-pipe.js";
import { runCli } from "./program.js";

exitQuietlyOnBrokenPipe([process.stdout, process.stderr]);
process.exitCode = await runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: { ...process.env } });
