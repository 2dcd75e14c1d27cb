/**
 * A type test, compiled by `npx tsc -p tsconfig.json` (npm test's checks) and never run: each option
 * type with its TSDoc (what the API docs and the API report show) must be exactly the type its zod
 * schema accepts. A schema and its interface that drift apart — a key added to one only, a
 * different value type, an optional key made required — stop this file from compiling.
 */
import type { z } from "zod";
import type { ArtifactOptions, AuthOptions, ClientOptions, S3Options } from "../../../src/config/options.js";
import type { artifactOptionsSchema, authSchema, clientOptionsSchema, s3OptionsSchema } from "../../../src/config/schemas.js";
import type { JournalOptions, journalOptionsShape } from "../../../src/journal/options.js";
import type { LoggerOptions, loggerOptionsShape } from "../../../src/logging/options.js";

/** `true` only when A and B are the same type (not merely assignable to each other). */
type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
/** Compiles only for `true`. */
type Assert<T extends true> = T;

/** Every option type against its schema; one failing line names the pair that disagrees. */
export type OptionTypesMatchSchemas = [
  Assert<Same<AuthOptions, z.input<typeof authSchema>>>,
  Assert<Same<S3Options, z.input<typeof s3OptionsSchema>>>,
  Assert<Same<ArtifactOptions, z.input<typeof artifactOptionsSchema>>>,
  Assert<Same<ClientOptions, z.input<typeof clientOptionsSchema>>>,
  Assert<Same<LoggerOptions, z.input<z.ZodObject<typeof loggerOptionsShape>>>>,
  Assert<Same<JournalOptions, z.input<z.ZodObject<typeof journalOptionsShape>>>>,
];
