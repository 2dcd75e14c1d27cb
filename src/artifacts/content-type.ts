/**
 * Content type and encoding of an artifact, guessed from its file name the way MLflow does:
 * Python's `mimetypes.guess_type` for S3 (`ContentType` plus `ContentEncoding` for `.gz` and
 * friends) and `_guess_mime_type` for proxied uploads (text extensions as `text/plain`, the rest
 * `application/octet-stream` when unknown).
 */
import { posix } from "node:path";
import mime from "mime-types";

/** Compression suffixes that Python's `mimetypes` reports as an encoding, not a type. */
const ENCODINGS: Record<string, string> = { ".gz": "gzip", ".bz2": "bzip2", ".xz": "xz", ".br": "br", ".Z": "compress" };

/** Extensions (and extension-less names) MLflow serves as `text/plain`. */
const TEXT_EXTENSIONS = new Set([
  "txt",
  "log",
  "err",
  "cfg",
  "conf",
  "cnf",
  "cf",
  "ini",
  "properties",
  "prop",
  "hocon",
  "toml",
  "yaml",
  "yml",
  "xml",
  "json",
  "js",
  "py",
  "py3",
  "csv",
  "tsv",
  "md",
  "rst",
  "ipynb",
  "MLmodel",
  "MLproject",
]);

/**
 * `ContentType` and `ContentEncoding` for an S3 upload, as boto3 gets them from
 * `mimetypes.guess_type`: `model.onnx` → none, `data.csv` → `text/csv`, `data.csv.gz` →
 * `text/csv` + `gzip`.
 *
 * @example
 * s3ContentHeaders("eval/data.csv.gz"); // { ContentType: "text/csv", ContentEncoding: "gzip" }
 */
export function s3ContentHeaders(fileName: string): { ContentType?: string; ContentEncoding?: string } {
  const base = posix.basename(fileName);
  const suffix = posix.extname(base);
  const encoding = ENCODINGS[suffix];
  const typed = encoding === undefined ? base : base.slice(0, -suffix.length);
  const type = mime.lookup(typed);
  const headers: { ContentType?: string; ContentEncoding?: string } = {};
  if (type) headers.ContentType = type;
  if (encoding) headers.ContentEncoding = encoding;
  return headers;
}

/**
 * `Content-Type` of a proxied upload, as MLflow's `_guess_mime_type`.
 *
 * @example
 * proxyContentType("MLmodel");   // "text/plain"
 * proxyContentType("model.pkl"); // "application/octet-stream"
 */
export function proxyContentType(fileName: string): string {
  const base = posix.basename(fileName);
  const extension = posix.extname(base).replace(".", "") || base;
  if (TEXT_EXTENSIONS.has(extension)) return "text/plain";
  return mime.lookup(base) || "application/octet-stream";
}
