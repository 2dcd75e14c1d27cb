/**
 * `mlflow-ts --help | head -1`: when the reader closes the pipe, the next write fails with EPIPE,
 * which Node reports as an unhandled `error` event — a stack trace on the terminal for a pipe the
 * user closed on purpose. Like other command-line tools (which die quietly of SIGPIPE), the
 * command stops at once instead, silently, with the exit code it had so far (0 unless something
 * already failed). Any other stream error is still thrown.
 */

/**
 * Makes `streams` end the process quietly on EPIPE.
 * @example
 * exitQuietlyOnBrokenPipe([process.stdout, process.stderr]);
 * @internal
 */
export function exitQuietlyOnBrokenPipe(streams: readonly NodeJS.WriteStream[]): void {
  for (const stream of streams) {
    stream.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code !== "EPIPE") throw error;
      process.exit(typeof process.exitCode === "number" ? process.exitCode : 0);
    });
  }
}
