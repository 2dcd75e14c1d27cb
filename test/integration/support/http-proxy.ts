/**
 * A tiny HTTP proxy on 127.0.0.1 in front of one stack server, for tests that must count the
 * requests a client sends, lose a response on purpose, or be slow: a request matching
 * `dropResponse` is forwarded, the server processes it, and the proxy then closes the client's
 * socket instead of answering (the "lost response" of a create); a request for which `delayMs`
 * returns a wait is held that long before it is forwarded, and forwarded even if the client gave
 * up meanwhile (a server that commits after the client's timeout).
 *
 * @example
 * const proxy = await startProxy(serverUri("direct"), { dropResponse: (r) => r.path.endsWith("/runs/create") });
 * const client = stackClient("direct", { trackingUri: proxy.url });
 * // … proxy.requests lists every request seen; await proxy.close() in afterAll/finally.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";

/** A request the proxy saw. */
export interface SeenRequest {
  method: string;
  /** Path with query, e.g. `/api/2.0/mlflow/runs/get?run_id=…`. */
  path: string;
  /** Whether its response was dropped. */
  dropped: boolean;
  /** The `Authorization` header the client sent, if any (test credentials only). */
  authorization: string | undefined;
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
}

/** Upstream calls give up after this long (the proxy must never hang a test). */
const UPSTREAM_TIMEOUT_MS = 60_000;

/** Starts a proxy forwarding to `target` (an `http://host:port` URL). */
export async function startProxy(target: string, options: ProxyOptions = {}): Promise<TestProxy> {
  const upstream = new URL(target);
  const requests: SeenRequest[] = [];
  let dropped = false;
  const server = http.createServer((req, res) => {
    const seen: SeenRequest = { method: req.method ?? "GET", path: req.url ?? "/", dropped: false, authorization: req.headers.authorization };
    if (!dropped && options.dropResponse?.(seen)) {
      dropped = true;
      seen.dropped = true;
    }
    requests.push(seen);
    const delayMs = options.delayMs?.(seen) ?? 0;
    const forward = http.request(
      { host: upstream.hostname, port: upstream.port, method: seen.method, path: seen.path, headers: req.headers, timeout: UPSTREAM_TIMEOUT_MS, agent: false },
      (upstreamRes) => {
        if (seen.dropped || req.socket.destroyed) {
          upstreamRes.resume();
          req.socket.destroy();
          return;
        }
        res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
        upstreamRes.pipe(res);
      },
    );
    forward.on("timeout", () => forward.destroy(new Error("upstream timeout")));
    forward.on("error", () => req.socket.destroy());
    if (delayMs <= 0) {
      req.pipe(forward);
      return;
    }
    // Read the whole body first, so the request still reaches the server after the client left.
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const timer = setTimeout(() => forward.end(Buffer.concat(chunks)), delayMs);
      timers.add(timer);
    });
  });
  const timers = new Set<NodeJS.Timeout>();
  server.keepAliveTimeout = 1_000;
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const timer of timers) clearTimeout(timer);
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
