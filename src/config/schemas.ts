/**
 * The zod schemas of the client's options, which `resolveConfig` checks the options against before
 * anything else. The option types with their TSDoc are in options.ts; the type test
 * test/unit/config/option-types.ts fails to compile when a schema and its type disagree.
 */
import { z } from "zod";
import type { AuthProvider } from "../core/http/auth/types.js";
import { MAX_RETRIES_LIMIT } from "./defaults.js";

const positiveInt = z.number().int().positive();

/** Schema of {@link AuthOptions}. @internal */
export const authSchema = z.union([z.strictObject({ username: z.string().min(1), password: z.string() }), z.strictObject({ token: z.string().min(1) })]);

/** Schema of the `auth` option given as an {@link AuthProvider} (a function; its answers are checked per call). @internal */
export const authProviderSchema = z.custom<AuthProvider>(
  (value) => typeof value === "function",
  "expected { username, password }, { token } or an async function returning { headers, expiresAtMs? }",
);

/** Schema of {@link S3Options}. @internal */
export const s3OptionsSchema = z.strictObject({
  endpointUrl: z.string().optional(),
  ignoreTls: z.boolean().optional(),
  addressingStyle: z.enum(["auto", "path", "virtual"]).optional(),
  region: z.string().min(1).optional(),
  credentials: z.strictObject({ accessKeyId: z.string().min(1), secretAccessKey: z.string().min(1), sessionToken: z.string().optional() }).optional(),
  uploadExtraArgs: z.record(z.string(), z.unknown()).optional(),
  expectedBucketOwner: z.string().optional(),
  checksum: z.enum(["WHEN_REQUIRED", "WHEN_SUPPORTED"]).optional(),
  partSizeBytes: positiveInt.optional(),
  queueSize: positiveInt.optional(),
});

/** Schema of {@link ArtifactOptions}. @internal */
export const artifactOptionsSchema = z.strictObject({
  proxyMultipartUpload: z.boolean().optional(),
  proxyMultipartMinBytes: positiveInt.optional(),
  proxyMultipartChunkBytes: positiveInt.optional(),
  concurrency: positiveInt.optional(),
});

/** Schema of {@link ClientOptions}. @internal */
export const clientOptionsSchema = z.strictObject({
  trackingUri: z.string().min(1).optional(),
  auth: z.union([authSchema, authProviderSchema]).optional(),
  timeoutMs: positiveInt.optional(),
  maxRetries: z.number().int().min(0).max(MAX_RETRIES_LIMIT).optional(),
  backoffFactorMs: z.number().min(0).max(120_000).optional(),
  backoffJitterMs: z.number().min(0).optional(),
  deadlineMs: positiveInt.optional(),
  unreachableDeadlineMs: z.number().int().min(0).optional(),
  keepAliveIdleMs: positiveInt.optional(),
  maxSockets: positiveInt.optional(),
  workspace: z.string().optional(),
  headers: z.record(z.string(), z.string()).optional(),
  insecureTls: z.boolean().optional(),
  serverCertPath: z.string().min(1).optional(),
  clientCertPath: z.string().min(1).optional(),
  s3: s3OptionsSchema.optional(),
  artifacts: artifactOptionsSchema.optional(),
  offline: z.boolean().optional(),
  // `process.env` is not a plain object, so a record schema would refuse it; any object of strings works.
  env: z
    .custom<Record<string, string | undefined>>(
      (value) => typeof value === "object" && value !== null && !Array.isArray(value),
      "expected an object of strings, e.g. process.env",
    )
    .optional(),
});
