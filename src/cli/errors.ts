/** How a failed command ends: which exit code, and which message on stderr. */
import { CommanderError } from "commander";
import { ArtifactCredentialsError, UnsafeArtifactPathError } from "../artifacts/errors.js";
import { messageOf } from "../core/error-text.js";
import { ConfigurationError, ConnectionError, PermissionDeniedError, TimeoutError, UnauthenticatedError, ValidationError } from "../core/errors.js";
import { EXIT } from "./context.js";

/** A command failed for a reason its message explains fully (exit code 1). @internal */
export class CliFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CliFailure";
  }
}

/** Failures the setup check can explain in detail. */
const SETUP_FAILURES = [ConfigurationError, ConnectionError, TimeoutError, UnauthenticatedError, PermissionDeniedError, ArtifactCredentialsError];

/**
 * Path rules that depend on the server, not on the arguments: a name the artifact proxy would
 * change is a fine argument that this server cannot store, so it is a failure (1), not usage (2).
 */
const SERVER_PATH_RULES = new Set(["proxy-decodes"]);

/**
 * The exit code for what a command threw: 0 for `--help` and `--version`, 2 for usage errors
 * (commander's, and arguments the SDK rejects before any request), 1 for everything else.
 * @internal
 */
export function exitCodeFor(error: unknown): number {
  if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
  if (error instanceof UnsafeArtifactPathError && SERVER_PATH_RULES.has(error.rule)) return EXIT.failure;
  if (error instanceof ValidationError) return EXIT.usage;
  return EXIT.failure;
}

/**
 * The line printed for an error (commander prints its own, so none for those), with a pointer to
 * `mlflow-ts doctor` when the setup is the likely cause.
 * @internal
 */
export function errorMessage(error: unknown): string | undefined {
  if (error instanceof CommanderError) return undefined;
  const message = messageOf(error);
  const doctor = SETUP_FAILURES.some((kind) => error instanceof kind) ? "\nRun `mlflow-ts doctor` to check the setup." : "";
  return `error: ${message}${doctor}`;
}
