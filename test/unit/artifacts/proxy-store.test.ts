import { createHash } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { HttpResponse, http, type RequestHandler } from "msw";
import { afterAll, describe, expect, it } from "vitest";
import { ArtifactError, ArtifactNotFoundError, ArtifactUploadError, IncompleteTransferError, UnsafeArtifactPathError } from "../../../src/artifacts/errors.js";
import type { TransferProgress } from "../../../src/artifacts/types.js";
import { AbortError } from "../../../src/core/errors.js";
import type { ClientOptions } from "../../../src/index.js";
import { BASE, RUN_ID, runJson, testClient, useMockServer } from "../helpers/mock-server.js";

/** Every temporary folder of this file lives here and is removed afterwards. */
const scratch = mkdtempSync(join(tmpdir(), "mlflow-ts-unit-proxy-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const server = useMockServer();
const ROOT = `1/${RUN_ID}/artifacts`;
const ARTIFACTS_PATH = "/api/2.0/mlflow-artifacts/artifacts";
const ARTIFACTS = `${BASE}${ARTIFACTS_PATH}`;
const MPU = `${BASE}/api/2.0/mlflow-artifacts/mpu`;
const S3_PART_URL = "http://s3.test:9000/mlflow-proxied/upload";
const SIGNATURE = "d3adb33fsignaturevalue";
const AUTH = { username: "alice", password: "proxy-test-pw" };
const work = mkdtempSync(join(scratch, "proxy-"));

interface Seen {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: Headers;
  body: Buffer;
}

/** Answers runs/get with a proxied run, installs `handlers`, and records every artifact request they see. */
function proxiedRun(...handlers: RequestHandler[]): Seen[] {
  const seen: Seen[] = [];
  const keep = async (request: Request): Promise<Seen> => {
    const url = new URL(request.url);
    const entry = {
      method: request.method,
      path: url.pathname,
      query: url.searchParams,
      headers: request.headers,
      body: Buffer.from(await request.arrayBuffer()),
    };
    seen.push(entry);
    return entry;
  };
  const run = runJson();
  (run.info as Record<string, unknown>).artifact_uri = `mlflow-artifacts:/${ROOT}`;
  server.use(
    http.get(`${BASE}/api/2.0/mlflow/runs/get`, () => HttpResponse.json({ run })),
    http.all(`${BASE}/api/2.0/mlflow-artifacts/*`, async ({ request }) => {
      await keep(request);
      return undefined;
    }),
    http.all(`${S3_PART_URL}`, async ({ request }) => {
      await keep(request);
      return undefined;
    }),
    ...handlers,
  );
  return seen;
}

function client(options: ClientOptions = {}) {
  return testClient({ auth: AUTH, ...options });
}

function fileOf(name: string, size: number): string {
  const path = join(work, name);
  const data = Buffer.alloc(size);
  for (let i = 0; i < size; i++) data[i] = (i * 31 + 7) % 251;
  writeFileSync(path, data);
  return path;
}

const sha = (data: Buffer): string => createHash("sha256").update(data).digest("hex");

describe("proxied uploads", () => {
  it("streams a file with one PUT carrying its content type, length and the MLflow credentials", async () => {
    const seen = proxiedRun(http.put(`${ARTIFACTS}/${ROOT}/model/MLmodel`, () => HttpResponse.json({})));
    const file = fileOf("MLmodel", 3000);
    const progress: TransferProgress[] = [];
    const result = await client().artifacts.upload(RUN_ID, file, { artifactPath: "model", onProgress: (p) => progress.push(p) });
    expect(result).toEqual({ paths: ["model/MLmodel"], bytes: 3000 });
    const puts = seen.filter((s) => s.method === "PUT");
    expect(puts).toHaveLength(1);
    expect(puts[0]!.headers.get("content-type")).toBe("text/plain");
    expect(puts[0]!.headers.get("content-length")).toBe("3000");
    expect(puts[0]!.headers.get("authorization")).toMatch(/^Basic /);
    expect(sha(puts[0]!.body)).toBe(sha(readFileSync(file)));
    expect(progress.at(-1)).toEqual({ loadedBytes: 3000, totalBytes: 3000, completedFiles: 1, totalFiles: 1, path: "model/MLmodel" });
  });

  it("re-opens the file when a PUT is retried, so the second attempt sends every byte", async () => {
    let calls = 0;
    const seen = proxiedRun(
      http.put(`${ARTIFACTS}/${ROOT}/data.bin`, () => (++calls === 1 ? new HttpResponse("busy", { status: 503 }) : HttpResponse.json({}))),
    );
    const file = fileOf("data.bin", 200_000);
    await client().artifacts.upload(RUN_ID, file);
    const puts = seen.filter((s) => s.method === "PUT");
    expect(puts).toHaveLength(2);
    for (const put of puts) expect(sha(put.body)).toBe(sha(readFileSync(file)));
  });

  it("sends in-memory data and spools a stream of unknown length into one PUT with a length", async () => {
    const seen = proxiedRun(http.put(`${ARTIFACTS}/${ROOT}/*`, () => HttpResponse.json({})));
    await client().artifacts.uploadData(RUN_ID, '{"acc":0.9}', "eval/metrics.json");
    await client().artifacts.uploadData(RUN_ID, Readable.from([Buffer.from("ab"), Buffer.from("cd")]), "logs/out.txt");
    const puts = seen.filter((s) => s.method === "PUT");
    expect(puts.map((p) => [p.path, p.body.toString(), p.headers.get("content-length")])).toEqual([
      [`/api/2.0/mlflow-artifacts/artifacts/${ROOT}/eval/metrics.json`, '{"acc":0.9}', "11"],
      [`/api/2.0/mlflow-artifacts/artifacts/${ROOT}/logs/out.txt`, "abcd", "4"],
    ]);
  });

  it("refuses an unsafe artifact path before any request", async () => {
    const seen = proxiedRun();
    await expect(client().artifacts.uploadData(RUN_ID, "x", "../../etc/passwd")).rejects.toBeInstanceOf(UnsafeArtifactPathError);
    await expect(client().artifacts.upload(RUN_ID, fileOf("ok.txt", 1), { artifactPath: "a/%2e%2e" })).rejects.toBeInstanceOf(UnsafeArtifactPathError);
    expect(seen).toHaveLength(0);
  });
});

describe("proxied multipart uploads", () => {
  const mpuClient = () => client({ artifacts: { proxyMultipartUpload: true, proxyMultipartMinBytes: 1000, proxyMultipartChunkBytes: 4096 } });

  function mpuCreate(parts: number, headers: Record<string, string> = { "x-amz-meta-origin": "mlflow" }) {
    return HttpResponse.json({
      upload_id: "upload-1",
      credentials: Array.from({ length: parts }, (_, i) => ({
        url: `${S3_PART_URL}?partNumber=${i + 1}&uploadId=upload-1&X-Amz-Signature=${SIGNATURE}`,
        part_number: i + 1,
        headers,
      })),
    });
  }

  it("creates, PUTs each part to its presigned URL without MLflow credentials, and completes with the ETags in order", async () => {
    const seen = proxiedRun(
      http.post(`${MPU}/create/${ROOT}/model`, () => mpuCreate(3)),
      http.put(S3_PART_URL, ({ request }) => new HttpResponse(null, { headers: { ETag: `"etag-${new URL(request.url).searchParams.get("partNumber")}"` } })),
      http.post(`${MPU}/complete/${ROOT}/model`, () => HttpResponse.json({})),
    );
    const file = fileOf("big.bin", 10_000);
    const progress: number[] = [];
    await mpuClient().artifacts.upload(RUN_ID, file, { artifactPath: "model", onProgress: (p) => progress.push(p.loadedBytes) });

    const create = seen.find((s) => s.path.includes("/mpu/create/"))!;
    expect(JSON.parse(create.body.toString())).toEqual({ path: "big.bin", num_parts: 3 });
    expect(create.headers.get("authorization")).toMatch(/^Basic /);

    const parts = seen.filter((s) => s.method === "PUT").sort((a, b) => Number(a.query.get("partNumber")) - Number(b.query.get("partNumber")));
    expect(parts).toHaveLength(3);
    for (const part of parts) {
      expect(part.headers.get("authorization")).toBeNull();
      expect(part.headers.get("x-amz-meta-origin")).toBe("mlflow");
    }
    expect(parts.map((p) => p.body.length)).toEqual([4096, 4096, 1808]);
    expect(sha(Buffer.concat(parts.map((p) => p.body)))).toBe(sha(readFileSync(file)));

    const complete = seen.find((s) => s.path.includes("/mpu/complete/"))!;
    expect(JSON.parse(complete.body.toString())).toEqual({
      path: "big.bin",
      upload_id: "upload-1",
      parts: [1, 2, 3].map((n) => ({
        part_number: n,
        etag: `"etag-${n}"`,
        url: `${S3_PART_URL}?partNumber=${n}&uploadId=upload-1&X-Amz-Signature=${SIGNATURE}`,
      })),
    });
    expect(seen.filter((s) => s.path.includes("/mpu/abort/"))).toHaveLength(0);
    expect(progress.at(-1)).toBe(10_000);
  });

  it("falls back to a single PUT when the server answers 501 to mpu/create", async () => {
    const seen = proxiedRun(
      http.post(`${MPU}/create/${ROOT}`, () =>
        HttpResponse.json({ error_code: "NOT_IMPLEMENTED", message: "Multipart upload is not supported for the current artifact repository" }, { status: 501 }),
      ),
      http.put(`${ARTIFACTS}/${ROOT}/big.bin`, () => HttpResponse.json({})),
    );
    await mpuClient().artifacts.upload(RUN_ID, fileOf("big.bin", 10_000));
    expect(seen.map((s) => `${s.method} ${s.path}`)).toEqual([
      `POST /api/2.0/mlflow-artifacts/mpu/create/${ROOT}`,
      `PUT /api/2.0/mlflow-artifacts/artifacts/${ROOT}/big.bin`,
    ]);
  });

  it("aborts the multipart upload when a part fails, never completes, and keeps the signature out of the error", async () => {
    const seen = proxiedRun(
      http.post(`${MPU}/create/${ROOT}`, () => mpuCreate(3)),
      http.put(S3_PART_URL, ({ request }) =>
        new URL(request.url).searchParams.get("partNumber") === "2"
          ? new HttpResponse(`<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>`, { status: 403 })
          : new HttpResponse(null, { headers: { ETag: '"ok"' } }),
      ),
      http.post(`${MPU}/abort/${ROOT}`, () => HttpResponse.json({})),
    );
    const error = await mpuClient()
      .artifacts.upload(RUN_ID, fileOf("big.bin", 10_000))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ArtifactUploadError);
    expect((error as Error).message).toContain("big.bin");
    expect((error as Error).message).toContain("the multipart upload was aborted");
    expect(JSON.stringify(error)).not.toContain(SIGNATURE);
    expect(String((error as Error).stack)).not.toContain(SIGNATURE);
    expect(seen.filter((s) => s.path.includes("/mpu/complete/"))).toHaveLength(0);
    const aborts = seen.filter((s) => s.path.includes("/mpu/abort/"));
    expect(aborts).toHaveLength(1);
    expect(JSON.parse(aborts[0]!.body.toString())).toEqual({ path: "big.bin", upload_id: "upload-1" });
    const abortIndex = seen.indexOf(aborts[0]!);
    expect(seen.slice(abortIndex + 1).filter((s) => s.method === "PUT")).toHaveLength(0);
  });

  it("aborts the multipart upload when the caller aborts", async () => {
    const controller = new AbortController();
    const seen = proxiedRun(
      http.post(`${MPU}/create/${ROOT}`, () => mpuCreate(3)),
      http.put(S3_PART_URL, () => {
        controller.abort();
        return new HttpResponse(null, { headers: { ETag: '"ok"' } });
      }),
      http.post(`${MPU}/abort/${ROOT}`, () => HttpResponse.json({})),
    );
    const error = await mpuClient()
      .artifacts.upload(RUN_ID, fileOf("big.bin", 10_000), { signal: controller.signal })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AbortError);
    expect(seen.filter((s) => s.path.includes("/mpu/abort/"))).toHaveLength(1);
    expect(seen.filter((s) => s.path.includes("/mpu/complete/"))).toHaveLength(0);
  });

  it("uses a single PUT below the size threshold", async () => {
    const seen = proxiedRun(http.put(`${ARTIFACTS}/${ROOT}/small.bin`, () => HttpResponse.json({})));
    await mpuClient().artifacts.upload(RUN_ID, fileOf("small.bin", 999));
    expect(seen.map((s) => s.method)).toEqual(["PUT"]);
  });
});

describe("proxied listing, download and delete", () => {
  it("lists with ?path=<root>/<path> and re-prefixes the basenames the server returns", async () => {
    const seen = proxiedRun(
      http.get(ARTIFACTS, () =>
        HttpResponse.json({
          files: [
            { path: "b.txt", is_dir: false, file_size: "12" },
            { path: "a", is_dir: true },
          ],
        }),
      ),
    );
    expect(await client().artifacts.list(RUN_ID, "model")).toEqual([
      { path: "model/a", is_dir: true },
      { path: "model/b.txt", is_dir: false, file_size: 12 },
    ]);
    expect(seen[0]!.query.get("path")).toBe(`${ROOT}/model`);
  });

  it("lists nothing for a path that names a file, as MLflow does", async () => {
    proxiedRun(http.get(ARTIFACTS, () => HttpResponse.json({ files: [{ path: "model.pkl", is_dir: false, file_size: 3 }] })));
    expect(await client().artifacts.list(RUN_ID, "model/model.pkl")).toEqual([]);
  });

  it("lists a ../ name as the server sent it; a download skips it and fetches the others", async () => {
    const fetched: string[] = [];
    proxiedRun(
      http.get(ARTIFACTS, () =>
        HttpResponse.json({
          files: [
            { path: "../../x", is_dir: false, file_size: 1 },
            { path: "ok.txt", is_dir: false, file_size: 2 },
          ],
        }),
      ),
      http.get(`${ARTIFACTS}/${ROOT}/*`, ({ request }) => {
        fetched.push(new URL(request.url).pathname);
        return new HttpResponse("ok");
      }),
    );
    expect((await client().artifacts.list(RUN_ID)).map((f) => f.path)).toEqual(["../../x", "ok.txt"]);
    const dest = mkdtempSync(join(scratch, "dl-"));
    const error = (await client()
      .artifacts.download(RUN_ID, "", dest)
      .catch((e: unknown) => e)) as IncompleteTransferError;
    expect(error).toBeInstanceOf(IncompleteTransferError);
    expect(error.skipped.map((entry) => [entry.path, entry.rule])).toEqual([["../../x", "parent-segment"]]);
    expect(fetched).toEqual([`${ARTIFACTS_PATH}/${ROOT}/ok.txt`]);
    expect(readFileSync(join(dest, "ok.txt"), "utf8")).toBe("ok");
  });

  it("skips, without a request, a listed name the server would decode into another, and downloads the rest", async () => {
    const fetched: string[] = [];
    proxiedRun(
      http.get(ARTIFACTS, () =>
        HttpResponse.json({
          files: [
            { path: "acc 100%25.png", is_dir: false, file_size: 1 },
            { path: "ok.txt", is_dir: false, file_size: 2 },
          ],
        }),
      ),
      http.get(`${ARTIFACTS}/${ROOT}/*`, ({ request }) => {
        fetched.push(new URL(request.url).pathname);
        return new HttpResponse("ok");
      }),
    );
    const dest = mkdtempSync(join(scratch, "dl-"));
    const error = (await client()
      .artifacts.download(RUN_ID, "", dest)
      .catch((e: unknown) => e)) as IncompleteTransferError;
    expect(error.skipped.map((entry) => [entry.path, entry.rule])).toEqual([["acc 100%25.png", "proxy-decodes"]]);
    expect(error.transferred).toEqual(["ok.txt"]);
    expect(fetched).toEqual([`${ARTIFACTS_PATH}/${ROOT}/ok.txt`]);
  });

  it("downloads a directory tree byte for byte", async () => {
    const files: Record<string, string> = { "model/a.txt": "alpha", "model/sub/b.bin": "bravo-bytes" };
    const seen = proxiedRun(
      http.get(ARTIFACTS, ({ request }) => {
        const path = new URL(request.url).searchParams.get("path");
        if (path === `${ROOT}/model`)
          return HttpResponse.json({
            files: [
              { path: "a.txt", is_dir: false, file_size: 5 },
              { path: "sub", is_dir: true },
            ],
          });
        return HttpResponse.json({ files: [{ path: "b.bin", is_dir: false, file_size: 11 }] });
      }),
      http.get(`${ARTIFACTS}/${ROOT}/*`, ({ request }) => {
        const relative = new URL(request.url).pathname.split(`${ROOT}/`)[1]!;
        return new HttpResponse(files[relative]);
      }),
    );
    const dest = mkdtempSync(join(scratch, "dl-"));
    const local = await client().artifacts.download(RUN_ID, "model", dest);
    expect(local).toBe(join(dest, "model"));
    expect(readFileSync(join(dest, "model/a.txt"), "utf8")).toBe("alpha");
    expect(readFileSync(join(dest, "model/sub/b.bin"), "utf8")).toBe("bravo-bytes");
    expect(readdirSync(join(dest, "model")).sort()).toEqual(["a.txt", "sub"]);
    expect(seen.filter((s) => s.method === "GET")).toHaveLength(4);
  });

  it("fails a download of a missing file at once instead of retrying the proxy's HTTP 500", async () => {
    const seen = proxiedRun(
      http.get(ARTIFACTS, () => HttpResponse.json({ files: [] })),
      http.get(`${ARTIFACTS}/${ROOT}/*`, () =>
        HttpResponse.json({ error_code: "INTERNAL_ERROR", message: "(404) when calling the HeadObject operation" }, { status: 500 }),
      ),
    );
    const dest = mkdtempSync(join(scratch, "dl-"));
    await expect(client().artifacts.download(RUN_ID, "model/missing.bin", dest)).rejects.toBeInstanceOf(ArtifactNotFoundError);
    expect(seen.map((s) => `${s.method} ${s.query.get("path")}`)).toEqual([`GET ${ROOT}/model/missing.bin`, `GET ${ROOT}/model`]);
  });

  it("deletes with one DELETE /artifacts/<root>/<path> on MLflow 3.16 and later", async () => {
    server.use(http.get(`${BASE}/version`, () => HttpResponse.text("3.16.1")));
    const seen = proxiedRun(http.delete(`${ARTIFACTS}/${ROOT}/checkpoints`, () => HttpResponse.json({})));
    await client().artifacts.delete(RUN_ID, "checkpoints");
    expect(seen.map((s) => `${s.method} ${s.path}`)).toEqual([`DELETE /api/2.0/mlflow-artifacts/artifacts/${ROOT}/checkpoints`]);
  });

  it("deletes a directory file by file before MLflow 3.16 (whose DELETE takes every key starting with the path), so a sibling sharing its prefix stays", async () => {
    server.use(http.get(`${BASE}/version`, () => HttpResponse.text("2.14.3")));
    const listing: Record<string, unknown> = {
      [`${ROOT}/scratch`]: {
        files: [
          { path: "a.txt", is_dir: false, file_size: 1 },
          { path: "deeper", is_dir: true },
        ],
      },
      [`${ROOT}/scratch/deeper`]: { files: [{ path: "b.txt", is_dir: false, file_size: 1 }] },
    };
    const seen = proxiedRun(
      http.get(ARTIFACTS, ({ request }) => HttpResponse.json(listing[new URL(request.url).searchParams.get("path") ?? ""] ?? {})),
      http.delete(`${ARTIFACTS}/*`, () => HttpResponse.json({})),
    );
    await client().artifacts.delete(RUN_ID, "scratch");
    const deletes = seen.filter((s) => s.method === "DELETE").map((s) => s.path.slice(`${ARTIFACTS_PATH}/${ROOT}/`.length));
    expect(deletes.sort()).toEqual(["scratch/a.txt", "scratch/deeper/b.txt"]);
    expect(deletes).not.toContain("scratch");
  });

  it("deletes a file (a path that lists nothing) with one DELETE before MLflow 3.16 too", async () => {
    server.use(http.get(`${BASE}/version`, () => HttpResponse.text("3.15.2")));
    const seen = proxiedRun(
      http.get(ARTIFACTS, () => HttpResponse.json({})),
      http.delete(`${ARTIFACTS}/${ROOT}/model.onnx`, () => HttpResponse.json({})),
    );
    await client().artifacts.delete(RUN_ID, "model.onnx");
    expect(seen.map((s) => s.method)).toEqual(["GET", "DELETE"]);
  });

  it("deletes a directory with one DELETE on MLflow 2.20 (whose DELETE takes only the keys under <path>/), not file by file", async () => {
    server.use(http.get(`${BASE}/version`, () => HttpResponse.text("2.20.4")));
    const seen = proxiedRun(
      http.get(ARTIFACTS, () => HttpResponse.json({ files: [{ path: "scratch", is_dir: true }] })),
      http.delete(`${ARTIFACTS}/*`, () => HttpResponse.json({})),
    );
    await client().artifacts.delete(RUN_ID, "scratch");
    expect(seen.filter((s) => s.method === "DELETE").map((s) => s.path)).toEqual([`${ARTIFACTS_PATH}/${ROOT}/scratch`]);
  });

  it("refuses to delete a single file on MLflow 2.20, whose DELETE would answer 200 and leave it, naming the server's limit and the fix", async () => {
    server.use(http.get(`${BASE}/version`, () => HttpResponse.text("2.20.4")));
    const seen = proxiedRun(
      http.get(ARTIFACTS, () => HttpResponse.json({ files: [{ path: "model.onnx", is_dir: false, file_size: 3 }] })),
      http.delete(`${ARTIFACTS}/*`, () => HttpResponse.json({})),
    );
    const error = await client()
      .artifacts.delete(RUN_ID, "model.onnx")
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ArtifactError);
    expect(error).toMatchObject({ operation: "delete", code: "SERVER_CANNOT_DELETE_FILE" });
    expect((error as Error).message).toMatch(/MLflow 2\.20.*deletes only what is under a directory.*Fix: delete the directory that holds it/);
    expect(seen.filter((s) => s.method === "DELETE")).toEqual([]);
  });

  it("reads the run's artifact URI once per run id", async () => {
    let runGets = 0;
    const run = runJson();
    (run.info as Record<string, unknown>).artifact_uri = `mlflow-artifacts:/${ROOT}`;
    server.use(
      http.get(`${BASE}/api/2.0/mlflow/runs/get`, () => {
        runGets++;
        return HttpResponse.json({ run });
      }),
      http.get(ARTIFACTS, () => HttpResponse.json({ files: [] })),
    );
    const c = client();
    await c.artifacts.list(RUN_ID);
    await c.artifacts.list(RUN_ID, "a");
    expect(runGets).toBe(1);
  });
});

describe("servers that take presigned transfers only (MLflow 3.18+ --artifacts-presigned-only)", () => {
  const PRESIGNED = `${BASE}/api/2.0/mlflow-artifacts/presigned`;
  const S3_OBJECT_URL = "http://s3.test:9000/mlflow-proxied/object";
  /** MLflow 3.18's refusal of proxied bytes (mlflow/server/artifact_transfer.py). */
  const refusal = (direction: "uploaded directly to" | "downloaded directly from") =>
    HttpResponse.json(
      {
        error_code: "PERMISSION_DENIED",
        message: `This server requires artifacts to be ${direction} storage. Upgrade your MLflow client to match this server (MLflow 3.18.0) or a newer version with presigned-only artifact support, then retry the upload.`,
        artifacts_presigned_only: true,
      },
      { status: 403 },
    );
  const oneCredential = () =>
    HttpResponse.json({
      upload_id: "upload-p",
      credentials: [{ url: `${S3_PART_URL}?partNumber=1&X-Amz-Signature=${SIGNATURE}`, part_number: 1, headers: {} }],
    });

  it("after the server refuses a proxied PUT, uploads by multipart (one part, even for an empty file) and skips the PUT from then on", async () => {
    const seen = proxiedRun(
      http.put(`${ARTIFACTS}/${ROOT}/*`, () => refusal("uploaded directly to")),
      http.post(`${MPU}/create/${ROOT}/*`, () => oneCredential()),
      http.put(S3_PART_URL, () => new HttpResponse(null, { headers: { ETag: '"e1"' } })),
      http.post(`${MPU}/complete/${ROOT}/*`, () => HttpResponse.json({})),
    );
    const c = client();
    await c.artifacts.uploadData(RUN_ID, '{"acc":0.9}', "eval/metrics.json");
    await c.artifacts.upload(RUN_ID, fileOf("empty.txt", 0), { artifactPath: "eval" });
    expect(seen.map((s) => `${s.method} ${s.path.replace(`/${ROOT}`, "")}`)).toEqual([
      "PUT /api/2.0/mlflow-artifacts/artifacts/eval/metrics.json",
      "POST /api/2.0/mlflow-artifacts/mpu/create/eval",
      "PUT /mlflow-proxied/upload",
      "POST /api/2.0/mlflow-artifacts/mpu/complete/eval",
      // the client knows now: the empty file goes straight to multipart, one empty part
      "POST /api/2.0/mlflow-artifacts/mpu/create/eval",
      "PUT /mlflow-proxied/upload",
      "POST /api/2.0/mlflow-artifacts/mpu/complete/eval",
    ]);
    const creates = seen.filter((s) => s.path.includes("/mpu/create/")).map((s) => JSON.parse(s.body.toString()));
    expect(creates).toEqual([
      { path: "metrics.json", num_parts: 1 },
      { path: "empty.txt", num_parts: 1 },
    ]);
    const parts = seen.filter((s) => s.path === "/mlflow-proxied/upload");
    expect(parts.map((p) => p.body.toString())).toEqual(['{"acc":0.9}', ""]);
    for (const part of parts) expect(part.headers.get("authorization")).toBeNull();
  });

  it("says what to change when a presigned-only server cannot do multipart for the location", async () => {
    proxiedRun(
      http.put(`${ARTIFACTS}/${ROOT}/*`, () => refusal("uploaded directly to")),
      http.post(`${MPU}/create/${ROOT}`, () =>
        HttpResponse.json({ error_code: "NOT_IMPLEMENTED", message: "Multipart upload is not supported" }, { status: 501 }),
      ),
    );
    const error = await client()
      .artifacts.upload(RUN_ID, fileOf("small.txt", 10))
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(ArtifactUploadError);
    expect(String((error as Error).message)).toMatch(/presigned URLs only \(--artifacts-presigned-only\).*Fix: /);
  });

  it("downloads through the presigned URL the server signs, without MLflow credentials, once the proxy refuses the bytes", async () => {
    const seen = proxiedRun(
      http.get(ARTIFACTS, () => HttpResponse.json({ files: [{ path: "model.onnx", is_dir: false, file_size: 5 }] })),
      http.get(`${ARTIFACTS}/${ROOT}/*`, () => refusal("downloaded directly from")),
      http.get(`${PRESIGNED}/${ROOT}/*`, () =>
        HttpResponse.json({ url: `${S3_OBJECT_URL}?X-Amz-Signature=${SIGNATURE}`, headers: { "x-amz-meta-origin": "mlflow" }, file_size: 5 }),
      ),
      http.get(S3_OBJECT_URL, async ({ request }) => {
        seen.push({
          method: "GET",
          path: new URL(request.url).pathname,
          query: new URL(request.url).searchParams,
          headers: request.headers,
          body: Buffer.alloc(0),
        });
        return new HttpResponse("onnx!");
      }),
    );
    const dest = mkdtempSync(join(scratch, "dl-presigned-"));
    const c = client();
    await c.artifacts.download(RUN_ID, "model.onnx", dest);
    await c.artifacts.download(RUN_ID, "model.onnx", mkdtempSync(join(scratch, "dl-presigned-")));
    expect(readFileSync(join(dest, "model.onnx"), "utf8")).toBe("onnx!");
    const gets = seen.filter((s) => s.method === "GET" && s.query.get("path") === null).map((s) => s.path.replace(`/${ROOT}`, ""));
    expect(gets).toEqual([
      "/api/2.0/mlflow-artifacts/artifacts/model.onnx",
      "/api/2.0/mlflow-artifacts/presigned/model.onnx",
      "/mlflow-proxied/object",
      // known now: no proxied GET the second time
      "/api/2.0/mlflow-artifacts/presigned/model.onnx",
      "/mlflow-proxied/object",
    ]);
    const storage = seen.filter((s) => s.path === "/mlflow-proxied/object");
    for (const get of storage) {
      expect(get.headers.get("authorization")).toBeNull();
      expect(get.headers.get("x-amz-meta-origin")).toBe("mlflow");
    }
  });

  it("uses proxied multipart for a large file when not configured only where a 3.18+ server advertises it", async () => {
    for (const [version, advertised, expected] of [
      ["3.18.0", true, "multipart"],
      ["3.18.0", false, "put"],
      ["3.17.2", true, "put"],
    ] as const) {
      const seen = proxiedRun(
        http.get(`${BASE}/version`, () => HttpResponse.text(version)),
        http.get(`${BASE}/api/3.0/mlflow/server-info`, () => HttpResponse.json({ store_type: "SqlStore", multipart_uploads_enabled: advertised })),
        http.post(`${MPU}/create/${ROOT}`, () => oneCredential()),
        http.put(S3_PART_URL, () => new HttpResponse(null, { headers: { ETag: '"e1"' } })),
        http.post(`${MPU}/complete/${ROOT}`, () => HttpResponse.json({})),
        http.put(`${ARTIFACTS}/${ROOT}/*`, () => HttpResponse.json({})),
      );
      await client({ artifacts: { proxyMultipartMinBytes: 1000 } }).artifacts.upload(RUN_ID, fileOf("large.bin", 2000));
      const used = seen.some((s) => s.path.includes("/mpu/create/")) ? "multipart" : "put";
      expect({ version, advertised, used }).toEqual({ version, advertised, used: expected });
    }
  });
});
