/**
 * A tiny HTTP proxy on 127.0.0.1 in front of one stack server, for tests that must count the
 * requests a client sends, lose a response on purpose, or play an overloaded server:
 *
 * - `dropResponse`: a matching request is forwarded, the server processes it, and the proxy then
 *   closes the client's socket instead of answering (the "lost response" of a create);
 * - `delayMs`: a request for which it returns a wait is held that long before it is forwarded, and
 *   forwarded even if the client gave up meanwhile (a server that commits after the client's timeout);
 * - `fault`: decides per request whether the proxy refuses it (429/503 without forwarding, with or
 *   without `Retry-After`), holds the server's answer back (a slow server), or forwards it and then
 *   answers an error instead of the server's response (a gateway that timed out after the server
 *   did the work). Every request records what the client and the server answered, so a test can
 *   report the error rate its clients saw;
 * - `rewriteJson`: edits a JSON answer before the client sees it (e.g. a model version kept
 *   PENDING_REGISTRATION).
 *
 * @example
 * const proxy = await startProxy(serverUri("direct"), { dropResponse: (r) => r.path.endsWith("/runs/create") });
 * const client = stackClient("direct", { trackingUri: proxy.url });
 * // … proxy.requests lists every request seen; await proxy.close() in afterAll/finally.
 *
 * A closed proxy's port is one where nothing listens; `port` brings a proxy back on it (a restart).
 *
 * @example
 * const proxy = await startProxy(serverUri("direct"), { fault: (r) => (r.repeat < 2 ? { kind: "refuse", status: 503, retryAfterSeconds: 1 } : undefined) });
 */
import { createHash } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";

/** Header a test client may send to say which client it is ({@link SeenRequest.client}). */
export const TEST_CLIENT_HEADER = "x-test-client";

/** What the proxy does to one request instead of forwarding it untouched. */
export type Fault =
  /** Answers `status` at once without forwarding: the server never sees the request (429, 503). */
  | { kind: "refuse"; status: number; retryAfterSeconds?: number }
  /** Forwards, then holds the server's answer for `delayMs` before passing it on (a slow server). */
  | { kind: "delay"; delayMs: number }
  /**
   * Forwards and lets the server process it, then answers `status` instead (502/504 after the work
   * was done). When the server refused the request (an answer of 400 or more) there was no work to
   * lose: its answer passes and no fault is recorded.
   */
  | { kind: "lose"; status: number };

/** A request the proxy saw. */
export interface SeenRequest {
  method: string;
  /** Path with query, e.g. `/api/2.0/mlflow/runs/get?run_id=…`. */
  path: string;
  /** Whether its response was dropped. */
  dropped: boolean;
  /** The `Authorization` header the client sent, if any (test credentials only). */
  authorization: string | undefined;
  /** The {@link TEST_CLIENT_HEADER} the client sent, if any. */
  client: string | undefined;
  /** `Date.now()` when it arrived. */
  atMs: number;
  /** How many times the same method, path and body were seen before (0 the first time); counted when bodies are read (`fault`, `delayMs`). */
  repeat: number;
  /** The fault injected, if any. */
  fault: Fault["kind"] | undefined;
  /** Status the client got; undefined until answered, or when its connection was closed instead. */
  status: number | undefined;
  /** Status the server answered; undefined when the request was not forwarded or got no answer. */
  upstreamStatus: number | undefined;
  /** `Date.now()` when the proxy finished answering or the connection closed; undefined while pending. */
  settledAtMs: number | undefined;
  /** Who closed the connection before an answer: the client (its own timeout) or the server (a reset, a timeout of the proxy). */
  closedBy: "client" | "server" | undefined;
  /** The first 512 characters of the server's body when it answered an error status (≥ 400). */
  upstreamError: string | undefined;
}

/** A request as a `fault` function sees it. */
export interface FaultContext {
  method: string;
  path: string;
  client: string | undefined;
  /** How many times the same method, path and body were seen before (0 the first time). */
  repeat: number;
}

/** A running proxy. */
export interface TestProxy {
  /** Base URL to use as tracking URI, e.g. `http://127.0.0.1:40123`. */
  url: string;
  /** Every request seen, in arrival order. */
  requests: SeenRequest[];
  close(): Promise<void>;
}

/** Options of {@link startProxy}. */
export interface ProxyOptions {
  /** Drop the response of the first request for which this returns true (once per proxy). */
  dropResponse?: (request: { method: string; path: string }) => boolean;
  /** Hold a request this many ms before forwarding it (0 or undefined: at once). */
  delayMs?: (request: { method: string; path: string }) => number | undefined;
  /** Port to listen on, e.g. to bring a closed proxy back where its clients expect it. @defaultValue a free port */
  port?: number;
  /**
   * The fault to inject into a request, or undefined to forward it untouched. With it the proxy
   * reads each request body before forwarding (to count repeats of the same request).
   */
  fault?: (request: FaultContext) => Fault | undefined;
  /** How long the proxy keeps an idle client connection open, ms. @defaultValue 1000 */
  keepAliveTimeoutMs?: number;
  /**
   * How long the proxy waits for the server's answer before it closes the client's connection, ms.
   * A load test sets it above the client's own timeout, so that the proxy adds no failure of its own.
   * @defaultValue 60000
   */
  upstreamTimeoutMs?: number;
  /** Replaces a JSON response body with what this returns (`undefined`: leave it as it is). */
  rewriteJson?: (request: { method: string; path: string }, body: unknown) => unknown;
}

/** Upstream calls give up after this long unless told otherwise (the proxy must never hang a test). */
const UPSTREAM_TIMEOUT_MS = 60_000;
const MAX_ERROR_EXCERPT_CHARS = 512;
/** Longest `delay` fault honoured (the proxy must never hang a test). */
const MAX_DELAY_MS = 30_000;

/** Starts a proxy forwarding to `target` (an `http://host:port` URL). */
export async function startProxy(target: string, options: ProxyOptions = {}): Promise<TestProxy> {
  const upstream = new URL(target);
  const requests: SeenRequest[] = [];
  const repeats = new Map<string, number>();
  const timers = new Set<NodeJS.Timeout>();
  let dropped = false;

  /** Sends `seen` on to the server with `body` (the request stream itself when it was not read). */
  function forward(req: http.IncomingMessage, res: http.ServerResponse, seen: SeenRequest, fault: Fault | undefined, body?: Buffer): void {
    const forwarded = http.request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: seen.method,
        path: seen.path,
        headers: req.headers,
        timeout: options.upstreamTimeoutMs ?? UPSTREAM_TIMEOUT_MS,
        agent: false,
      },
      (upstreamRes) => {
        seen.upstreamStatus = upstreamRes.statusCode;
        if ((upstreamRes.statusCode ?? 0) >= 400) {
          upstreamRes.on("data", (chunk: Buffer) => {
            const text = (seen.upstreamError ?? "") + chunk.toString("utf8");
            seen.upstreamError = text.slice(0, MAX_ERROR_EXCERPT_CHARS);
          });
        }
        if (seen.dropped || req.socket.destroyed) {
          upstreamRes.resume();
          req.socket.destroy();
          return;
        }
        // Only work the server did can be lost: a refusal (e.g. MLflow's "QueuePool limit" 400) passes
        // through, or a client would be told a create may have happened that never did.
        if (fault?.kind === "lose" && (upstreamRes.statusCode ?? 500) < 400) {
          upstreamRes.resume();
          upstreamRes.on("end", () => answer(res, seen, fault.status));
          return;
        }
        if (fault?.kind === "lose") seen.fault = undefined;
        const pass = (): void => {
          if (res.destroyed) {
            upstreamRes.resume();
            return;
          }
          seen.status = upstreamRes.statusCode ?? 502;
          const rewrite = options.rewriteJson;
          if (rewrite && String(upstreamRes.headers["content-type"] ?? "").includes("application/json")) {
            const chunks: Buffer[] = [];
            upstreamRes.on("data", (chunk: Buffer) => chunks.push(chunk));
            upstreamRes.on("end", () => {
              const text = Buffer.concat(chunks).toString("utf8");
              const replaced = rewrite(seen, JSON.parse(text) as unknown);
              const rewritten = replaced === undefined ? text : JSON.stringify(replaced);
              const headers = { ...upstreamRes.headers, "content-length": String(Buffer.byteLength(rewritten)) };
              delete headers["transfer-encoding"];
              res.writeHead(seen.status ?? 502, headers);
              res.end(rewritten);
            });
            return;
          }
          res.writeHead(seen.status, upstreamRes.headers);
          upstreamRes.pipe(res);
        };
        if (fault?.kind === "delay") later(pass, fault.delayMs);
        else pass();
      },
    );
    forwarded.on("timeout", () => forwarded.destroy(new Error("upstream timeout")));
    forwarded.on("error", () => {
      seen.closedBy ??= "server";
      req.socket.destroy();
    });
    // A client that gave up (its own timeout) closes its connection: so does the proxy, upstream.
    res.on("close", () => {
      if (!res.writableFinished) forwarded.destroy();
    });
    if (body) forwarded.end(body);
    else req.pipe(forwarded);
  }

  function later(fn: () => void, delayMs: number): void {
    const timer = setTimeout(
      () => {
        timers.delete(timer);
        fn();
      },
      Math.min(delayMs, MAX_DELAY_MS),
    );
    timers.add(timer);
  }

  const server = http.createServer((req, res) => {
    const seen: SeenRequest = {
      method: req.method ?? "GET",
      path: req.url ?? "/",
      dropped: false,
      authorization: req.headers.authorization,
      client: headerValue(req.headers[TEST_CLIENT_HEADER]),
      atMs: Date.now(),
      repeat: 0,
      fault: undefined,
      status: undefined,
      upstreamStatus: undefined,
      settledAtMs: undefined,
      closedBy: undefined,
      upstreamError: undefined,
    };
    res.on("close", () => {
      seen.settledAtMs = Date.now();
      if (!res.writableFinished && !seen.dropped) seen.closedBy ??= "client";
    });
    if (!dropped && options.dropResponse?.(seen)) {
      dropped = true;
      seen.dropped = true;
    }
    requests.push(seen);
    const decide = options.fault;
    const holdMs = options.delayMs?.(seen) ?? 0;
    if (!decide && holdMs <= 0) {
      forward(req, res, seen, undefined);
      return;
    }
    // Read the whole body first: to count repeats, and so that a held request still reaches the server after the client left.
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("error", () => req.socket.destroy());
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      const key = createHash("sha256").update(`${seen.method} ${seen.path}\n`).update(body).digest("base64");
      seen.repeat = repeats.get(key) ?? 0;
      repeats.set(key, seen.repeat + 1);
      const fault = decide?.({ method: seen.method, path: seen.path, client: seen.client, repeat: seen.repeat });
      seen.fault = fault?.kind;
      if (fault?.kind === "refuse") {
        answer(res, seen, fault.status, fault.retryAfterSeconds);
        return;
      }
      if (holdMs <= 0) {
        forward(req, res, seen, fault, body);
        return;
      }
      const timer = setTimeout(() => {
        timers.delete(timer);
        forward(req, res, seen, fault, body);
      }, holdMs);
      timers.add(timer);
    });
  });
  server.keepAliveTimeout = options.keepAliveTimeoutMs ?? 1_000;
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Answers with `status` and a short text body, as a load balancer does; `Retry-After` when given. */
function answer(res: http.ServerResponse, seen: SeenRequest, status: number, retryAfterSeconds?: number): void {
  seen.status = status;
  const headers: Record<string, string> = { "Content-Type": "text/plain" };
  if (retryAfterSeconds !== undefined) headers["Retry-After"] = String(retryAfterSeconds);
  res.writeHead(status, headers);
  res.end(`${status} ${http.STATUS_CODES[status] ?? ""} (injected by the test proxy)\n`);
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
