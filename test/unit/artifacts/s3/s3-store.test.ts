import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { HttpResponse, http, type RequestHandler } from "msw";
import { afterAll, describe, expect, it } from "vitest";
import {
  ArtifactCredentialsError,
  type ArtifactError,
  ArtifactNotFoundError,
  ArtifactPermissionError,
  ArtifactUploadError,
  IncompleteTransferError,
} from "../../../../src/artifacts/errors.js";
import { AbortError } from "../../../../src/core/errors.js";
import type { ClientOptions } from "../../../../src/index.js";
import { BASE, RUN_ID, runJson, testClient, useMockServer } from "../../helpers/mock-server.js";

/** Every temporary folder of this file lives here and is removed afterwards. */
const scratch = mkdtempSync(join(tmpdir(), "mlflow-ts-unit-s3-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const server = useMockServer();
const S3 = "http://s3.test:9000";
const PREFIX = `1/${RUN_ID}/artifacts`;
const OBJECTS = `${S3}/mlflow/${PREFIX}`;
const SECRET = "s3-unit-secret-key-9f8e7d";
const MiB = 1024 * 1024;
const work = mkdtempSync(join(scratch, "s3-"));

interface Seen {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: Headers;
  size: number;
  sha: string;
}

/** runs/get answers an s3:// run; every S3 request is recorded before `handlers` answer it. */
function s3Run(...handlers: RequestHandler[]): Seen[] {
  const seen: Seen[] = [];
  server.use(
    http.get(`${BASE}/api/2.0/mlflow/runs/get`, () => HttpResponse.json({ run: runJson() })),
    http.all(`${S3}/*`, async ({ request }) => {
      const url = new URL(request.url);
      const body = Buffer.from(await request.clone().arrayBuffer());
      seen.push({ method: request.method, path: url.pathname, query: url.searchParams, headers: request.headers, size: body.length, sha: sha(body) });
      return undefined;
    }),
    ...handlers,
  );
  return seen;
}

function client(options: ClientOptions = {}) {
  return testClient({
    maxRetries: 1,
    s3: { endpointUrl: S3, credentials: { accessKeyId: "AKIAUNITTEST", secretAccessKey: SECRET }, partSizeBytes: 5 * MiB, queueSize: 2 },
    ...options,
  });
}

function fileOf(name: string, size: number): string {
  const path = join(work, name);
  const data = Buffer.alloc(size);
  for (let i = 0; i < size; i += 4096) data[i] = (i / 4096) % 251;
  writeFileSync(path, data);
  return path;
}

const sha = (data: Buffer): string => createHash("sha256").update(data).digest("hex");
const xml = (body: string, status = 200): Response =>
  new HttpResponse(`<?xml version="1.0" encoding="UTF-8"?>${body}`, { status, headers: { "Content-Type": "application/xml" } });
const s3Error = (code: string, status: number, message = "details"): Response =>
  xml(`<Error><Code>${code}</Code><Message>${message}</Message><RequestId>r1</RequestId></Error>`, status);

/** Handlers of a healthy S3 server for multipart uploads of any key under the run. */
function multipartServer(stored: () => number, partReply?: (part: number) => Response | Promise<Response>): RequestHandler[] {
  return [
    http.post(`${OBJECTS}/*`, ({ request }) => {
      const query = new URL(request.url).searchParams;
      if (query.has("uploads"))
        return xml("<InitiateMultipartUploadResult><Bucket>mlflow</Bucket><Key>k</Key><UploadId>up-1</UploadId></InitiateMultipartUploadResult>");
      return xml(`<CompleteMultipartUploadResult><Bucket>mlflow</Bucket><Key>k</Key><ETag>"done"</ETag></CompleteMultipartUploadResult>`);
    }),
    http.put(`${OBJECTS}/*`, async ({ request }) => {
      const part = Number(new URL(request.url).searchParams.get("partNumber") ?? 1);
      if (partReply) return partReply(part);
      return new HttpResponse(null, { headers: { ETag: `"etag-${part}"` } });
    }),
    http.delete(`${OBJECTS}/*`, () => new HttpResponse(null, { status: 204 })),
    http.head(`${OBJECTS}/*`, () => new HttpResponse(null, { headers: { "Content-Length": String(stored()) } })),
  ];
}

const names = (seen: Seen[]): string[] =>
  seen.map((s) => {
    if (s.method === "POST") return s.query.has("uploads") ? "CreateMultipartUpload" : "CompleteMultipartUpload";
    if (s.method === "PUT") return s.query.has("partNumber") ? `UploadPart ${s.query.get("partNumber")}` : "PutObject";
    if (s.method === "DELETE") return s.query.has("uploadId") ? "AbortMultipartUpload" : "DeleteObject";
    if (s.method === "HEAD") return "HeadObject";
    return `${s.method} ${s.path}`;
  });

describe("S3 uploads", () => {
  it("puts a small file with one PutObject at the key MLflow derives, path-style, with its content type", async () => {
    const seen = s3Run(...multipartServer(() => 11));
    const file = fileOf("data.csv", 11);
    const result = await client().artifacts.upload(RUN_ID, file, { artifactPath: "eval" });
    expect(result).toEqual({ paths: ["eval/data.csv"], bytes: 11 });
    expect(names(seen)).toEqual(["PutObject"]);
    expect(seen[0]!.headers.get("content-length")).toBe("11");
    expect(seen[0]!.path).toBe(`/mlflow/${PREFIX}/eval/data.csv`);
    expect(seen[0]!.headers.get("content-type")).toBe("text/csv");
    expect(seen[0]!.sha).toBe(sha(readFileSync(file)));
  });

  it("adds gzip content encoding and the configured extra arguments", async () => {
    const seen = s3Run(...multipartServer(() => 3));
    await client({
      s3: { endpointUrl: S3, credentials: { accessKeyId: "AKIAUNITTEST", secretAccessKey: SECRET }, uploadExtraArgs: { ServerSideEncryption: "AES256" } },
    }).artifacts.uploadData(RUN_ID, "abc", "logs/train.log.gz");
    expect(seen[0]!.headers.get("content-encoding")).toBe("gzip");
    expect(seen[0]!.headers.get("x-amz-server-side-encryption")).toBe("AES256");
  });

  it("uploads a large file in parts, completes with every part, reports progress within parts, and checks the size", async () => {
    const size = 11 * MiB + 5;
    const seen = s3Run(...multipartServer(() => size));
    const file = fileOf("weights.bin", size);
    const progress: number[] = [];
    await client().artifacts.upload(RUN_ID, file, { onProgress: (p) => progress.push(p.loadedBytes) });
    expect(names(seen).sort()).toEqual(["CompleteMultipartUpload", "CreateMultipartUpload", "HeadObject", "UploadPart 1", "UploadPart 2", "UploadPart 3"]);
    expect(
      seen
        .filter((s) => s.query.has("partNumber"))
        .map((s) => s.size)
        .sort((a, b) => a - b),
    ).toEqual([MiB + 5, 5 * MiB, 5 * MiB]);
    expect(progress.at(-1)).toBe(size);
    expect(progress.length).toBeGreaterThan(3 * 4);
    expect(names(seen).at(-1)).toBe("HeadObject");
  });

  it("uploads a short stream of unknown length with one PutObject", async () => {
    const seen = s3Run(...multipartServer(() => 6));
    const result = await client().artifacts.uploadData(RUN_ID, Readable.from([Buffer.from("abc"), Buffer.from("def")]), "stream/out.bin");
    expect(result.bytes).toBe(6);
    expect(names(seen)).toEqual(["PutObject"]);
    expect(seen[0]!.size).toBe(6);
  });

  it("uploads a long stream of unknown length in parts and checks the stored size against the bytes read", async () => {
    const size = 7 * MiB + 3;
    const seen = s3Run(...multipartServer(() => size));
    const chunks = Array.from({ length: 7 }, () => Buffer.alloc(MiB, 1)).concat([Buffer.from("xyz")]);
    const result = await client().artifacts.uploadData(RUN_ID, Readable.from(chunks), "stream/long.bin");
    expect(result.bytes).toBe(size);
    expect(names(seen).sort()).toEqual(["CompleteMultipartUpload", "CreateMultipartUpload", "HeadObject", "UploadPart 1", "UploadPart 2"]);
    expect(
      seen
        .filter((s) => s.query.has("partNumber"))
        .map((s) => s.size)
        .sort((a, b) => a - b),
    ).toEqual([2 * MiB + 3, 5 * MiB]);
  });

  it("reports progress that never goes back or past the size when a part is re-sent after a failed attempt", async () => {
    const size = 11 * MiB;
    let part2Attempts = 0;
    const seen = s3Run(
      ...multipartServer(
        () => size,
        (part) => (part === 2 && ++part2Attempts === 1 ? s3Error("InternalError", 500) : new HttpResponse(null, { headers: { ETag: `"e${part}"` } })),
      ),
    );
    const progress: number[] = [];
    await client().artifacts.upload(RUN_ID, fileOf("retried.bin", size), { onProgress: (p) => progress.push(p.loadedBytes) });
    expect(names(seen).filter((n) => n === "UploadPart 2")).toHaveLength(2);
    for (let i = 1; i < progress.length; i++) expect(progress[i]).toBeGreaterThanOrEqual(progress[i - 1]!);
    expect(Math.max(...progress)).toBe(size);
    expect(progress.at(-1)).toBe(size);
  });

  it("aborts the multipart upload when a part still fails after the retries, never completes, and names bucket and key", async () => {
    const size = 11 * MiB;
    const seen = s3Run(
      ...multipartServer(
        () => size,
        (part) => (part === 2 ? s3Error("InternalError", 500) : new HttpResponse(null, { headers: { ETag: `"e${part}"` } })),
      ),
    );
    const error = await client()
      .artifacts.upload(RUN_ID, fileOf("fails.bin", size))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ArtifactUploadError);
    const upload = error as ArtifactUploadError;
    expect(upload.bucket).toBe("mlflow");
    expect(upload.key).toBe(`${PREFIX}/fails.bin`);
    expect(upload.message).toContain(`s3://mlflow/${PREFIX}/fails.bin`);
    expect(upload.message).toContain("InternalError");
    expect(names(seen)).not.toContain("CompleteMultipartUpload");
    expect(names(seen)).toContain("AbortMultipartUpload");
    expect(names(seen).filter((n) => n === "UploadPart 2")).toHaveLength(2);
    const abortAt = names(seen).indexOf("AbortMultipartUpload");
    expect(
      names(seen)
        .slice(abortAt + 1)
        .filter((n) => n.startsWith("UploadPart")),
    ).toEqual([]);
  });

  it("on abort, cancels the parts in flight and aborts the multipart upload before rejecting", async () => {
    const size = 16 * MiB;
    const controller = new AbortController();
    const seen = s3Run(
      ...multipartServer(
        () => size,
        async (part) => {
          if (part === 1) return new HttpResponse(null, { headers: { ETag: '"e1"' } });
          controller.abort();
          await new Promise((resolve) => setTimeout(resolve, 200));
          return new HttpResponse(null, { headers: { ETag: `"e${part}"` } });
        },
      ),
    );
    const error = await client()
      .artifacts.upload(RUN_ID, fileOf("aborted.bin", size), { signal: controller.signal })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AbortError);
    expect(names(seen)).toContain("AbortMultipartUpload");
    expect(names(seen)).not.toContain("CompleteMultipartUpload");
    expect(names(seen)).not.toContain("HeadObject");
  });

  it("repeats a failed AbortMultipartUpload until the server takes it", async () => {
    const size = 11 * MiB;
    let abortCalls = 0;
    const seen = s3Run(
      http.delete(`${OBJECTS}/*`, () => (++abortCalls <= 3 ? s3Error("ServiceUnavailable", 503) : new HttpResponse(null, { status: 204 }))),
      ...multipartServer(
        () => size,
        (part) => (part === 1 ? s3Error("AccessDenied", 403) : new HttpResponse(null, { headers: { ETag: '"e"' } })),
      ),
    );
    const error = await client()
      .artifacts.upload(RUN_ID, fileOf("denied.bin", size))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ArtifactPermissionError);
    expect(names(seen).filter((n) => n === "AbortMultipartUpload")).toHaveLength(4);
    expect(names(seen)).not.toContain("CompleteMultipartUpload");
  });

  it("deletes the object and fails when the stored size of a multipart upload differs from the bytes sent", async () => {
    const size = 11 * MiB;
    const seen = s3Run(...multipartServer(() => size - 1));
    const error = await client()
      .artifacts.upload(RUN_ID, fileOf("short.bin", size))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ArtifactUploadError);
    expect((error as ArtifactUploadError).code).toBe("SizeMismatch");
    expect(names(seen).slice(-3)).toEqual(["CompleteMultipartUpload", "HeadObject", "DeleteObject"]);
  });
});

describe("S3 errors", () => {
  it.each([
    ["InvalidAccessKeyId", 403, ArtifactCredentialsError, "AWS_ACCESS_KEY_ID"],
    ["SignatureDoesNotMatch", 403, ArtifactCredentialsError, "secret access key"],
    ["RequestTimeTooSkewed", 403, ArtifactCredentialsError, "NTP"],
    ["AccessDenied", 403, ArtifactPermissionError, "s3:PutObject"],
    ["NoSuchBucket", 404, ArtifactNotFoundError, "MLFLOW_S3_ENDPOINT_URL"],
  ] as const)("maps %s to a typed error with the fix and no secret", async (code, status, kind, fix) => {
    s3Run(http.put(`${OBJECTS}/*`, () => s3Error(code, status, `refused ${SECRET}`)));
    const error = await client()
      .artifacts.uploadData(RUN_ID, "abc", "a.txt")
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(kind);
    const typed = error as ArtifactError;
    expect(typed.code).toBe(code);
    expect(typed.status).toBe(status);
    expect(typed.message).toContain(code);
    expect(typed.message).toContain(fix);
    expect(typed.message).toContain(`s3://mlflow/${PREFIX}/a.txt`);
    for (const text of [typed.message, String(typed.stack), JSON.stringify(typed), String((typed.cause as Error | undefined)?.message)]) {
      expect(text).not.toContain(SECRET);
    }
    expect(Object.keys(typed)).not.toContain("$metadata");
  });
});

describe("S3 listing, download and delete", () => {
  const listing = (prefix: string, contents: [string, number][], prefixes: string[]) =>
    xml(
      `<ListBucketResult><Name>mlflow</Name><Prefix>${prefix}</Prefix><Delimiter>/</Delimiter><IsTruncated>false</IsTruncated>` +
        contents.map(([key, size]) => `<Contents><Key>${key}</Key><Size>${size}</Size></Contents>`).join("") +
        prefixes.map((p) => `<CommonPrefixes><Prefix>${p}</Prefix></CommonPrefixes>`).join("") +
        "</ListBucketResult>",
    );

  it("lists with Prefix=<prefix>/<path>/ and Delimiter=/, directories from common prefixes, sorted, markers skipped", async () => {
    const seen = s3Run(
      http.get(`${S3}/mlflow`, () =>
        listing(
          `${PREFIX}/model/`,
          [
            [`${PREFIX}/model/b.bin`, 7],
            [`${PREFIX}/model/`, 0],
          ],
          [`${PREFIX}/model/a/`],
        ),
      ),
    );
    expect(await client().artifacts.list(RUN_ID, "model")).toEqual([
      { path: "model/a", is_dir: true },
      { path: "model/b.bin", is_dir: false, file_size: 7 },
    ]);
    expect(seen[0]!.query.get("prefix")).toBe(`${PREFIX}/model/`);
    expect(seen[0]!.query.get("delimiter")).toBe("/");
  });

  it("refuses a listing with keys outside the run's prefix", async () => {
    s3Run(http.get(`${S3}/mlflow`, () => listing(`${PREFIX}/`, [["other/run/artifacts/x", 1]], [])));
    await expect(client().artifacts.list(RUN_ID)).rejects.toThrow(/not under the artifact root/);
  });

  it("skips a listed key that would leave the destination, downloads the others, and reports it", async () => {
    const fetched: string[] = [];
    s3Run(
      http.get(`${S3}/mlflow`, () =>
        listing(
          `${PREFIX}/`,
          [
            [`${PREFIX}/../../../x`, 1],
            [`${PREFIX}/acc 100%25.png`, 1],
          ],
          [],
        ),
      ),
      http.get(`${OBJECTS}/*`, ({ request }) => {
        fetched.push(decodeURIComponent(new URL(request.url).pathname));
        return new HttpResponse("x");
      }),
    );
    const dest = mkdtempSync(join(scratch, "s3-dl-"));
    const error = (await client()
      .artifacts.download(RUN_ID, "", dest)
      .catch((e: unknown) => e)) as IncompleteTransferError;
    expect(error).toBeInstanceOf(IncompleteTransferError);
    expect(error.skipped.map((entry) => [entry.path, entry.rule])).toEqual([["../../../x", "parent-segment"]]);
    expect(fetched).toEqual([`/mlflow/${PREFIX}/acc 100%25.png`]);
    expect(readFileSync(join(dest, "acc 100%25.png"), "utf8")).toBe("x");
  });

  it("deletes the object and everything under <path>/, not siblings sharing the prefix", async () => {
    const seen = s3Run(
      http.get(`${S3}/mlflow`, () =>
        listing(
          `${PREFIX}/ckpt/`,
          [
            [`${PREFIX}/ckpt/1.pt`, 1],
            [`${PREFIX}/ckpt/2.pt`, 1],
          ],
          [],
        ),
      ),
      http.delete(`${OBJECTS}/*`, () => new HttpResponse(null, { status: 204 })),
    );
    await client().artifacts.delete(RUN_ID, "ckpt");
    const deleted = seen
      .filter((s) => s.method === "DELETE")
      .map((s) => s.path)
      .sort();
    expect(deleted).toEqual([`/mlflow/${PREFIX}/ckpt`, `/mlflow/${PREFIX}/ckpt/1.pt`, `/mlflow/${PREFIX}/ckpt/2.pt`]);
    expect(seen.find((s) => s.method === "GET")!.query.get("prefix")).toBe(`${PREFIX}/ckpt/`);
  });
});
