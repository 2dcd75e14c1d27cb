/**
 * Everything of the S3 store that needs the AWS SDK, gathered behind one module so that it is
 * loaded only at the first S3 use ({@link loadS3Runtime} in lazy-s3.ts is its only importer
 * outside artifacts/s3/): a script that only logs metrics never pays for `@aws-sdk/client-s3`.
 */
export {
  AbortMultipartUploadCommand,
  CreateMultipartUploadCommand,
  ListBucketsCommand,
  ListObjectsV2Command,
  UploadPartCommand,
} from "@aws-sdk/client-s3";
export { createS3Client } from "./s3-client.js";
export { S3ArtifactStore } from "./s3-store.js";
