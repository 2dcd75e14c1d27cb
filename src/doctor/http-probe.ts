/**
 * One unauthenticated GET, to learn whether a server answers at all: any HTTP status counts as an
 * answer. Used for the S3 endpoint, which the tracking transport does not talk to.
 */
import http from "node:http";
import https from "node:https";
import axios from "axios";
import { messageOf } from "../core/error-text.js";
import { LinkedAbort } from "../core/signals.js";

/** An answer: status and the headers a check reads. */
export interface ProbeAnswer {
  status: number;
  /** `Date` header, when sent. */
  date: string | undefined;
  /** `Server` header, when sent (e.g. `MinIO`, `AmazonS3`). */
  server: string | undefined;
}

/** No answer: the system error code (`ECONNREFUSED`…), or `ETIMEDOUT` when the timeout expired. */
export class ProbeError extends Error {
  readonly code: string | undefined;

  constructor(code: string | undefined, message: string) {
    super(message);
    this.name = "ProbeError";
    this.code = code;
  }
}

/**
 * GETs `url` once, without credentials, redirects or retries.
 *
 * @param options.timeoutMs - Limit for the whole exchange, connection included.
 * @param options.insecure - Skip TLS certificate checks.
 * @throws {ProbeError} when no HTTP answer came.
 * @example
 * const answer = await probeHttp("http://127.0.0.1:9000/", { timeoutMs: 5000 }); // { status: 403, … }
 * @internal
 */
export async function probeHttp(url: string, options: { timeoutMs: number; insecure?: boolean; signal?: AbortSignal }): Promise<ProbeAnswer> {
  const link = new LinkedAbort(options.signal);
  link.abortAfter(options.timeoutMs, "timeout");
  const agents = { httpAgent: new http.Agent({ keepAlive: false }), httpsAgent: new https.Agent({ keepAlive: false, rejectUnauthorized: !options.insecure }) };
  try {
    const response = await axios.get(url, { ...agents, signal: link.signal, maxRedirects: 0, validateStatus: () => true, responseType: "text", proxy: false });
    const header = (name: string): string | undefined => {
      const value: unknown = response.headers[name];
      return typeof value === "string" ? value : undefined;
    };
    return { status: response.status, date: header("date"), server: header("server") };
  } catch (error) {
    if (link.cause === "timeout") throw new ProbeError("ETIMEDOUT", `no answer within ${options.timeoutMs} ms`);
    if (link.cause === "user") throw new ProbeError("ABORTED", "aborted");
    const code = codeOf(error);
    throw new ProbeError(code, code ?? messageOf(error));
  } finally {
    link.dispose();
    agents.httpAgent.destroy();
    agents.httpsAgent.destroy();
  }
}

/** The system code of a failed request; a happy-eyeballs `AggregateError` holds one per address. */
function codeOf(error: unknown): string | undefined {
  const shape = error as { code?: unknown; cause?: { code?: unknown }; errors?: { code?: unknown }[] } | undefined;
  for (const candidate of [shape?.code, shape?.cause?.code, ...(shape?.errors ?? []).map((inner) => inner?.code)]) {
    if (typeof candidate === "string" && !candidate.startsWith("ERR_BAD_")) return candidate;
  }
  return undefined;
}
